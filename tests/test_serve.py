"""The preview server (generator/serve.py): one rebuild per change, error page, recovery, only the output folder."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.serve import PreviewApp
from tests.conftest import NOW, SITE_YML, run_build

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def call(app: PreviewApp, path: str) -> tuple[str, bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    body = b"".join(app({"PATH_INFO": path}, start_response))
    return seen["status"], body


def test_preview_rebuilds_once_per_change_shows_errors_and_recovers(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/draft.en.md": '---\ntitle: "Draft note"\ndate: 2026-11-02\ndraft: true\n---\nx\n',
                      "site.yml": SITE_YML + "snippets: {platforms: [x, telegram]}\n"})
    app = PreviewApp(root, root / ".legation-cache/preview")
    clock = lambda: NOW  # noqa: E731
    first = app.rebuild(clock)
    assert first is not None and first.ok
    assert app.rebuild(clock) is None  # nothing changed: no second build for the same save
    status, body = call(app, "/en/announcements/draft/")
    assert status.startswith("200") and b"Draft note" in body and b"notice-preview" in body  # drafts are shown, marked
    status, body = call(app, "/_snippets/en/")
    assert status.startswith("200") and b"copy" in body

    broken = root / "content/announcements/consular-hours.en.md"
    good = broken.read_text()
    broken.write_text(good.replace("date: 2026-11-01T10:00:00+04:00", "date: yesterday"))
    _touch_later(broken)
    report = app.rebuild(clock)
    assert report is not None and not report.ok
    assert app.rebuild(clock) is None
    status, body = call(app, "/en/")
    assert status.startswith("500")
    assert b"content/announcements/consular-hours.en.md:3" in body and b"<mark>" in body
    broken.write_text(good)
    _touch_later(broken)
    fixed = app.rebuild(clock)
    assert fixed is not None and fixed.ok
    status, body = call(app, "/en/")
    assert status.startswith("200") and b"Consular hours" in body


def test_preview_error_page_shows_one_mistake_once_and_first(make_site: Callable[..., Path]) -> None:
    """A broken English file with a translation: the page lists its error alone, not the translation's
    inherited ones (which sorted first, at the .ar.md file)."""
    root = make_site({"content/announcements/consular-hours.ar.md": (
        '---\ntitle: "ساعات"\ntranslation_of: {lang: en}\n---\nنص.\n'),
        "content/announcements/consular-hours.en.md": '---\ntitle: "Hours"\ndate: 2026-11-01\ntags: [visa\n---\nx\n'})
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and not report.ok
    status, body = call(app, "/en/")
    assert status.startswith("500")
    items = body.split(b"<li>")[1:]
    assert len(items) == 1 and items[0].startswith(b"<p><code>content/announcements/consular-hours.en.md:5:1</code>: YAML")
    assert b".ar.md" not in body and b"translation_of" not in body


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


SECRET = b"TOP-SECRET: not for the preview"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/en/../../secret.txt", "/..//secret.txt",
                                  "/./en/./../../secret.txt", "/../../../{root}/.legation-cache/secret.txt"])
def test_preview_refuses_paths_outside_the_output(make_site: Callable[..., Path], path: str) -> None:
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and report.ok
    secret = app.out_dir.parent / "secret.txt"  # just outside the served folder
    secret.write_bytes(SECRET)
    path = path.format(root=root.name)
    # A naive server (percent-decode, join, read) would reach the secret, so this test can fail.
    naive = Path(os.path.normpath(str(app.out_dir) + unquote(path)))
    assert naive == secret and naive.read_bytes() == SECRET
    status, body = call(app, path)
    assert status.startswith("404")
    assert SECRET not in body


def test_preview_relaxes_csp_only_in_the_preview(make_site: Callable[..., Path]) -> None:
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    app.rebuild(lambda: NOW)
    _, body = call(app, "/en/")
    assert b"'unsafe-inline'" in body
    assert run_build(root).ok
    assert b"'unsafe-inline'" not in (root / "public/en/index.html").read_bytes()


def test_serve_command_serves_over_http(make_site: Callable[..., Path]) -> None:
    """One real `legation serve` process: it answers on 127.0.0.1 and reloads after a save."""
    import socket
    import subprocess
    import sys
    import urllib.request

    root = make_site()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        body = _get(f"http://127.0.0.1:{port}/en/", urllib.request)
        assert "Consular hours" in body
        page = root / "content/announcements/consular-hours.en.md"
        page.write_text(page.read_text().replace('title: "Consular hours"', 'title: "Consular hours changed"'))
        deadline = time.monotonic() + 30
        while "Consular hours changed" not in body and time.monotonic() < deadline:
            time.sleep(0.3)
            body = _get(f"http://127.0.0.1:{port}/en/", urllib.request)
        assert "Consular hours changed" in body
    finally:
        process.terminate()
        process.communicate(timeout=20)


def _get(url: str, request: Any) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)




def test_serve_listens_on_loopback_only_unless_told() -> None:
    """A preview of unpublished statements must not be reachable from the office network by default."""
    serve_command = main.commands["serve"]  # type: ignore[attr-defined]
    (host,) = [param for param in serve_command.params if param.name == "host"]
    assert host.default == "127.0.0.1"
    assert "--host" in CliRunner().invoke(main, ["serve", "--help"]).output
