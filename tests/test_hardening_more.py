"""More hostile input and faults: oversized and non-text files, bad output folders, path escapes, name collisions,
script breakouts, preview traversal, mixed content and tamper detection."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from PIL import Image

from generator.commands.cli import main
from generator.commands.serve import PreviewApp
from generator.core.files import MARKER
from generator.sources.content import MAX_FILE_BYTES
from tests.conftest import NOW, SITE_YML, run_build, tree
from tests.test_serve import call

REPO = Path(__file__).resolve().parent.parent
NOW_ARG = "2026-11-23T12:00:00+00:00"
OK_FRONT = '---\ntitle: "A"\ndate: 2026-11-01\n---\n'


def cli_process(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args, "--now", NOW_ARG], capture_output=True, text=True,
                          cwd=REPO, timeout=120, **kwargs)


def built_site(make_site: Callable[..., Path], files: dict[str, str | bytes] | None = None) -> tuple[Path, dict[str, bytes]]:
    """A site built once (the "previous output"), with ``files`` added afterwards."""
    root = make_site()
    assert run_build(root).ok
    before = tree(root / "public")
    for rel, content in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root, before


# ------------------------------------------------------------------ 1. size limit


def test_oversized_content_file_is_a_located_error_and_keeps_output(make_site: Callable[..., Path]) -> None:
    rel = "content/announcements/huge.en.md"
    root, before = built_site(make_site, {rel: OK_FRONT + "x" * (MAX_FILE_BYTES + 1)})
    report = run_build(root, incremental=False)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == rel
    assert "limit" in problem.message and "MiB" in problem.message
    assert tree(root / "public") == before


# ------------------------------------------------------------------ 2. not text


@pytest.mark.parametrize(("data", "where", "phrase"), [
    ((OK_FRONT + "Body ab").encode() + b"\xff\xfe" + b" cd\n", (5, 8), "UTF-8"),
    (b'---\ntitle: "A\x00B"\ndate: 2026-11-01\n---\nx\n', (2, None), "NUL"),
    ((OK_FRONT + "x\n\ny\x00z\n").encode(), (7, None), "NUL"),
], ids=["invalid-utf8-body", "nul-front-matter", "nul-body"])
def test_non_text_content_is_a_located_error_and_keeps_output(make_site: Callable[..., Path], data: bytes,
                                                               where: tuple[int, int | None], phrase: str) -> None:
    rel = "content/announcements/binary.en.md"
    root, before = built_site(make_site, {rel: data})
    report = run_build(root, incremental=False)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == rel and problem.location.line == where[0]
    if where[1] is not None:
        assert problem.location.col == where[1]
    assert phrase in problem.message
    assert tree(root / "public") == before


def _write_non_utf8_name(root: Path) -> None:
    folder = os.fsencode(str(root / "content/announcements"))
    with open(folder + b"/caf\xff.en.md", "wb") as handle:
        handle.write(OK_FRONT.encode())


def test_non_utf8_file_name_is_a_located_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    _write_non_utf8_name(root)
    report = run_build(root)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path.startswith("content/announcements/caf") and "not a safe URL slug" in problem.message
    assert not (root / "public").exists()


@pytest.mark.parametrize("stream_errors", ["strict", "surrogateescape"])
def test_non_utf8_file_name_with_report_is_not_a_traceback(make_site: Callable[..., Path], stream_errors: str) -> None:
    root = make_site()
    _write_non_utf8_name(root)
    report_file = root.parent / "report.json"
    env = {**os.environ, "PYTHONIOENCODING": f"utf-8:{stream_errors}"}
    done = cli_process("build", "--root", str(root), "--report", str(report_file), env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    # the undecodable byte is shown, not dropped or passed through raw
    assert 'content/announcements/caf\\xff.en.md: error: "caf\\xff" is not a safe URL slug' in done.stderr
    assert "nothing was written" in done.stderr
    data = json.loads(report_file.read_bytes().decode("utf-8"))  # strict UTF-8: no raw bytes, no lone surrogates
    assert data["ok"] is False
    (error,) = data["errors"]
    assert error["file"] == "content/announcements/caf\\xff.en.md" and "not a safe URL slug" in error["message"]
    checked = cli_process("check", "--root", str(root), env=env)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert checked.stdout.startswith("content/announcements/caf\\xff.en.md\n")


def test_non_utf8_file_name_in_the_preview_error_page(make_site: Callable[..., Path]) -> None:
    root = make_site()
    _write_non_utf8_name(root)
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and not report.ok
    status, body = call(app, "/en/")
    assert status.startswith("500") and b"caf\\xff.en.md" in body


def test_report_that_cannot_be_written_is_a_clear_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    (root / "afile").write_text("precious")
    done = cli_process("build", "--root", str(root), "--report", str(root / "afile" / "report.json"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{root / 'afile'} is not a folder" in done.stderr and "choose another --report" in done.stderr
    assert (root / "afile").read_text() == "precious"


# ------------------------------------------------------------------ 3. unusable output folder


def test_output_path_that_is_a_file_is_a_clear_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    (root / "afile").write_text("precious")
    report = run_build(root, root / "afile")
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path.endswith("afile") and "not a folder" in problem.message
    assert (root / "afile").read_text() == "precious"
    done = cli_process("build", "--root", str(root), "--out", str(root / "afile"))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "not a folder" in done.stderr


@pytest.mark.parametrize(("below", "message"), [
    ("public", "the output folder's parent {afile} is not a folder"),
    ("deeper/public", "the output folder's parent {afile}/deeper cannot be created: {afile} is a file, not a folder"),
], ids=["parent-is-a-file", "ancestor-is-a-file"])
def test_output_folder_under_a_file_is_a_clear_error(make_site: Callable[..., Path], below: str, message: str) -> None:
    root = make_site()
    afile = root / "afile"
    afile.write_text("precious")
    report = run_build(root, afile / below)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == str(afile / below) and problem.code == "output"
    assert problem.message == message.format(afile=afile)
    assert problem.hint.startswith("choose another --out") and str(afile) in problem.hint
    assert afile.read_text() == "precious"
    assert sorted(p.name for p in root.iterdir()) == sorted(["afile", "content", "site.yml"])


def test_cli_output_folder_under_a_file_is_a_clear_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    afile = root / "afile"
    afile.write_text("precious")
    done = cli_process("build", "--root", str(root), "--out", str(afile / "public"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    assert f"{afile / 'public'}: error: the output folder's parent {afile} is not a folder" in done.stderr
    assert "hint: choose another --out" in done.stderr and "nothing was written" in done.stderr
    assert afile.read_text() == "precious"


# ------------------------------------------------------------------ 4. escaping slugs


def _files_outside(base: Path, public: Path) -> set[str]:
    return {p.relative_to(base).as_posix() for p in base.rglob("*")
            if p.is_file() and public not in p.parents and not p.name.endswith(".lock")
            and ".legation-cache" not in p.parts}


@pytest.mark.parametrize("slug", ["../../etc", "/abs", "../public-evil", "a/../../b"])
def test_front_matter_slug_cannot_leave_the_output(make_site: Callable[..., Path], tmp_path: Path, slug: str) -> None:
    rel = "content/announcements/escape.en.md"
    root, before = built_site(make_site, {rel: f'---\ntitle: "A"\ndate: 2026-11-01\nslug: "{slug}"\n---\nx\n'})
    outside = _files_outside(tmp_path, root / "public")
    report = run_build(root, incremental=False)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == rel and problem.location.line == 4 and "slug" in problem.message
    assert tree(root / "public") == before
    assert _files_outside(tmp_path, root / "public") == outside
    assert not Path("/abs").exists()


@pytest.mark.parametrize("name", ["a..b", "-x", "x-", "Photo"])
def test_bundle_folder_with_unsafe_name_is_refused(make_site: Callable[..., Path], tmp_path: Path, name: str) -> None:
    root, before = built_site(make_site, {f"content/announcements/{name}/index.en.md": OK_FRONT + "x\n",
                                          f"content/announcements/{name}/p.png": b"\x89PNG"})
    report = run_build(root, incremental=False)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == f"content/announcements/{name}/index.en.md" and "not a safe URL slug" in problem.message
    assert tree(root / "public") == before


def test_bundle_asset_name_with_backslash_is_refused(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root, before = built_site(make_site, {"content/announcements/photo/index.en.md": OK_FRONT + "x\n",
                                          "content/announcements/photo/a\\..\\evil.png": tiny_png()})
    outside = _files_outside(tmp_path, root / "public")
    report = run_build(root, incremental=False)
    assert not report.ok
    assert any("evil.png" in p.location.path and "leave the output folder" in p.message for p in report.errors)
    assert tree(root / "public") == before
    assert _files_outside(tmp_path, root / "public") == outside


# ------------------------------------------------------------------ 5. names that collide


@pytest.mark.parametrize("bundle", [False, True])
def test_nfc_and_nfd_names_are_refused_not_merged(make_site: Callable[..., Path], bundle: bool) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd and nfd == "cafe\u0301"
    paths = [f"content/announcements/{n}/index.en.md" if bundle else f"content/announcements/{n}.en.md" for n in (nfc, nfd)]
    root = make_site({paths[0]: OK_FRONT + "first\n", paths[1]: OK_FRONT + "second\n"})
    assert len(list((root / "content/announcements").glob("caf*"))) == 2  # two distinct names on disk
    report = run_build(root)
    assert not report.ok
    assert sorted(p.location.path for p in report.errors) == sorted(paths)
    assert all("not a safe URL slug" in p.message for p in report.errors)
    assert not (root / "public").exists()


def test_case_only_different_names_are_refused(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/pages/About.en.md": '---\ntitle: "Other about"\n---\nx\n'})
    assert (root / "content/pages/about.en.md").exists()
    report = run_build(root)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path == "content/pages/About.en.md" and 'rename it to "about"' in problem.hint
    assert not (root / "public").exists()


def tiny_png(shade: int = 0) -> bytes:
    """A real PNG (bundle images are read: generator/media.py), different for each ``shade``."""
    out = io.BytesIO()
    Image.new("L", (4, 4), shade).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("names", [("Photo.png", "photo.png"), (unicodedata.normalize("NFC", "café.png"),
                                                                  unicodedata.normalize("NFD", "café.png"))])
def test_bundle_assets_that_differ_only_in_case_or_form_are_refused(make_site: Callable[..., Path],
                                                                    names: tuple[str, str]) -> None:
    """Two assets that a case-insensitive or normalizing file system (Windows, macOS) would merge into one."""
    root = make_site({"content/announcements/visit/index.en.md": OK_FRONT + "x\n",
                      **{f"content/announcements/visit/{name}": tiny_png(len(name.encode())) for name in names}})
    assert len(list((root / "content/announcements/visit").iterdir())) == 3
    report = run_build(root)
    assert not report.ok
    (problem,) = report.errors
    assert problem.code == "collision" and "content/announcements/visit/" in problem.location.path
    assert "letter case" in problem.message
    assert not (root / "public").exists()


# ------------------------------------------------------------------ 6. script breakouts

BREAKOUT = 'Visa </script><script>alert(1)</script> <!--<script> & "q"'


def _json_ld_blocks(html: str) -> list[Any]:
    blocks = []
    for chunk in html.split('<script type="application/ld+json">')[1:]:
        text, _, _ = chunk.partition("</script")
        assert "<" not in text and ">" not in text, text
        blocks.append(json.loads(text))
    return blocks


def _script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)


def test_title_cannot_break_out_of_json_ld_or_the_snippet_board(make_site: Callable[..., Path]) -> None:
    title = json.dumps(BREAKOUT)
    root = make_site({
        "site.yml": SITE_YML + "snippets: {platforms: [x, telegram]}\n",
        "content/announcements/breakout.en.md": f"---\ntitle: {title}\ndate: 2026-11-01\nsummary: {title}\n---\nx\n",
        "content/events/breakout.en.md": (f"---\ntitle: {title}\ndate: 2026-11-01\nstart: 2026-12-12T18:30:00+04:00\n"
                                          f"venue: {{name: {title}, city: \"Baku\"}}\n---\nx\n"),
        "content/pages/breakout.en.md": f"---\ntitle: {title}\n---\nx\n",
    })
    report = run_build(root)
    assert report.ok, report.errors
    for folder, key in (("announcements/breakout", "headline"), ("events/breakout", "name"), ("breakout", "name")):
        html = (root / f"public/en/{folder}/index.html").read_text(encoding="utf-8")
        (data,) = _json_ld_blocks(html)
        assert data[key] == BREAKOUT
        assert all('type="application/ld+json"' in tag or "src=" in tag for tag in _script_tags(html)), folder
        assert html.count("</script") == len(_script_tags(html))
    event = _json_ld_blocks((root / "public/en/events/breakout/index.html").read_text(encoding="utf-8"))[0]
    assert event["location"]["name"] == BREAKOUT
    news = _json_ld_blocks((root / "public/en/announcements/breakout/index.html").read_text(encoding="utf-8"))[0]
    assert news["description"] == BREAKOUT

    snippets = root / "snippets"
    item = json.loads((snippets / "en/announcements/breakout.json").read_text(encoding="utf-8"))
    assert item["title"] == BREAKOUT and BREAKOUT in item["posts"]["telegram"]["text"]
    board = (snippets / "en/index.html").read_text(encoding="utf-8")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in board
    assert _script_tags(board) == ['<script src="../board.js" defer>']
    assert board.count("</script") == 1 and "<!--" not in board


# ------------------------------------------------------------------ 7. preview stays inside its folder




@pytest.fixture
def preview(make_site: Callable[..., Path]) -> tuple[PreviewApp, Path]:
    root = make_site({"secret.txt": "TOP-SECRET"})
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and report.ok
    return app, root


# What a WSGI server hands over after percent-decoding ..%2f, %2e%2e/ and %2f: each reaches an existing file.
DECODED_ESCAPES = ["/../../secret.txt", "/en/../../../secret.txt", "/../..//secret.txt", "/./../.././secret.txt",
                   "/" + "../" * 30 + "etc/passwd", "/..\\..\\secret.txt", "/\x00/../../secret.txt"]


@pytest.mark.parametrize("path", DECODED_ESCAPES)
def test_preview_refuses_decoded_traversal_to_existing_files(preview: tuple[PreviewApp, Path], path: str) -> None:
    app, _ = preview
    target = Path(os.path.normpath(str(app.out_dir) + "/" + path.replace("\x00/", "")))
    if "\\" not in path:
        assert target.is_file(), target  # the test would fail if the preview resolved the path naively
    status, body = call(app, path)
    assert status.startswith("404")
    assert b"TOP-SECRET" not in body and b"root:" not in body


def test_preview_never_serves_a_link_out_of_the_site(preview: tuple[PreviewApp, Path]) -> None:
    """The preview serves only what its build made, from memory: a link in static/ that leaves the folder makes
    the build fail at that file (as `legation build` does), and no request reaches what it points to."""
    app, root = preview
    static = root / "static"
    static.mkdir(exist_ok=True)
    (static / "robots-note.txt").write_text("inside", encoding="utf-8")
    (static / "inside.txt").symlink_to(static / "robots-note.txt")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and report.ok
    status, body = call(app, "/static/inside.txt")  # a link that stays inside is fine
    assert status.startswith("200") and body == b"inside"
    (static / "leak.txt").symlink_to(root / "secret.txt")
    (static / "leakdir").symlink_to(root)
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and not report.ok
    assert {p.location.path for p in report.errors} == {"static/leak.txt", "static/leakdir"}
    for path in ("/static/leak.txt", "/static/leakdir/secret.txt", "/static/leakdir/", "/secret.txt"):
        status, body = call(app, path)
        assert status.startswith(("404", "500")), path
        assert b"TOP-SECRET" not in body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    deadline = time.monotonic() + 30
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


ENCODED_ESCAPES = ["/..%2f..%2fsecret.txt", "/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%2f%2e%2e%2fsecret.txt",
                   "/en/%2E%2E/%2E%2E/%2E%2E/secret.txt", "/..%5c..%5csecret.txt", "/%2fetc%2fpasswd",
                   "/" + "..%2f" * 30 + "etc/passwd", "/leak.txt", "/en/leakdir/secret.txt"]


def test_serve_over_http_refuses_encoded_traversal_and_symlinks(make_site: Callable[..., Path]) -> None:
    root = make_site({"secret.txt": "TOP-SECRET"})
    port = _free_port()
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    try:
        status, body = _raw_get(port, "/en/")
        assert status == 200 and b"Consular hours" in body
        for path in ENCODED_ESCAPES:  # the preview answers from memory: no name reaches a file beside the site
            status, body = _raw_get(port, path)
            assert status in (400, 404), (path, status)
            assert b"TOP-SECRET" not in body and b"root:" not in body, path
    finally:
        process.terminate()
        process.communicate(timeout=20)


# ------------------------------------------------------------------ 8. mixed content

RESOURCE_ATTRS = {"src", "srcset", "poster", "data"}


class _Resources(HTMLParser):
    """Every URL a browser would load as a subresource (stylesheets, scripts, images, media, frames, icons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in RESOURCE_ATTRS or (tag == "link" and name == "href"):
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.urls.extend(url for url in candidates if url)

    handle_startendtag = handle_starttag


def _insecure(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    parser.close()
    bad = []
    for url in parser.urls:
        cleaned = "".join(ch for ch in url if ch > " ")
        scheme = urlsplit(cleaned).scheme.lower()
        if cleaned.startswith("//") or (scheme and scheme not in ("https", "data")):
            bad.append(url)
    return bad


def test_the_mixed_content_check_can_fail() -> None:
    html = ('<link rel="stylesheet" href="http://cdn.example/a.css"><script src="//cdn.example/a.js"></script>'
            '<img src=" HTTP://x/i.png" srcset="/a.png 1x, http://x/b.png 2x"><img src="/ok.png"/>'
            '<link rel="icon" href="https://x/i.ico"><a href="http://example.org/">a link is not a subresource</a>')
    assert _insecure(html) == ["http://cdn.example/a.css", "//cdn.example/a.js", " HTTP://x/i.png", "http://x/b.png"]


def test_demo_has_no_mixed_content(demo: Path) -> None:
    pages = sorted(demo.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        assert _insecure(page.read_text(encoding="utf-8")) == [], page
    for sheet in demo.rglob("*.css"):
        assert not re.search(r"(url\(\s*['\"]?|@import\s+['\"])\s*(http:|//)", sheet.read_text(encoding="utf-8"), re.I), sheet


# ------------------------------------------------------------------ 9. legation verify


@pytest.mark.parametrize(("change", "expected"), [
    ("tamper", "en/index.html: content differs from the build"),
    ("add", "en/extra.js: not produced by the build"),
    ("remove", "en/announcements/consular-hours/index.html: missing"),
])
def test_verify_command_detects_tampering(make_site: Callable[..., Path], change: str, expected: str) -> None:
    root = make_site()
    assert run_build(root).ok
    out = root / "public"
    clean = CliRunner().invoke(main, ["verify", str(out)])
    assert clean.exit_code == 0 and "every file matches" in clean.output
    if change == "tamper":
        page = out / "en/index.html"
        data = bytearray(page.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit of one byte; the size stays the same
        page.write_bytes(bytes(data))
    elif change == "add":
        (out / "en/extra.js").write_text("alert(1)")
    else:
        (out / "en/announcements/consular-hours/index.html").unlink()
    assert (out / MARKER).is_file()
    result = CliRunner().invoke(main, ["verify", str(out)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [expected, "legation verify: 1 difference"]


def test_a_content_file_that_cannot_be_opened_is_a_located_error(make_site: Callable[..., Path]) -> None:
    """A link to a file that is gone (or any file the build cannot open) names the file; no traceback, and the
    site that was there before stays."""
    root = make_site()
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--root", str(root)]).exit_code == 0
    before = (root / "public" / MARKER).read_bytes()
    (root / "content/announcements/ghost.en.md").symlink_to(root / "content/announcements/gone.en.md")
    result = runner.invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 1
    assert "content/announcements/ghost.en.md: error: cannot read the file" in result.output
    assert "a symbolic link must point to a file" in result.output
    assert "Traceback" not in result.output
    assert (root / "public" / MARKER).read_bytes() == before
