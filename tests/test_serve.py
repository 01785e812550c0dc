"""The preview server (generator/serve.py): one rebuild per change, error page, recovery, only the output folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from generator.commands.cli import main
from generator.commands.serve import PreviewApp
from tests.browser import chromium_page, require_chromium
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
                                  "/./en/./../../secret.txt", "/secret.txt", "/site.yml",
                                  "/content/announcements/consular-hours.en.md", "/../../../{root}/secret.txt"])
def test_preview_serves_only_what_the_build_made(make_site: Callable[..., Path], path: str) -> None:
    """The preview answers from the files the build made, held in memory, never from a path on disk: no name,
    however it climbs, reaches the site's sources or a file beside them."""
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and report.ok
    (root / "secret.txt").write_bytes(SECRET)
    status, body = call(app, path.format(root=root.name))
    assert status.startswith("404")
    assert SECRET not in body and b"title:" not in body
    assert call(app, "/en/../en/")[0].startswith("200")  # a name that climbs and comes back is the page it names


def test_preview_relaxes_csp_only_in_the_preview(make_site: Callable[..., Path]) -> None:
    """The preview may open its reload socket, but runs no inline script: the theme's CSP forbids one."""
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    app.rebuild(lambda: NOW)
    _, body = call(app, "/en/")
    assert b"connect-src 'self' ws: wss:" in body and b"'unsafe-inline'" not in body
    assert re.search(rb'<script src="/_legation/reload.js\?build=[0-9a-f]+-1" defer></script></head>', body)
    assert [tag for tag in re.findall(rb"<script[^>]*>", body) if b" src=" not in tag and b"ld+json" not in tag] == []
    status, script = call(app, "/_legation/reload.js")
    assert status.startswith("200") and b"WebSocket" in script
    assert run_build(root).ok
    assert b"'unsafe-inline'" not in (root / "public/en/index.html").read_bytes()
    assert b"wasm-unsafe-eval" not in body  # only the search page runs Pagefind's WebAssembly
    _, search = call(app, "/search/en/")
    assert b"script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:" in search


def test_a_page_names_the_build_and_the_server_run_that_served_it(make_site: Callable[..., Path]) -> None:
    """The reload socket compares this name with the latest: a page left open across a restart of
    `legation serve` reloads when it reconnects, even when both runs made one build."""
    root = make_site()
    page = root / "content/announcements/consular-hours.en.md"
    tags = []
    for _ in range(2):  # two runs of `legation serve` on the same site
        app = PreviewApp(root, root / ".legation-cache/preview")
        for _ in range(2):  # and two builds in each
            _touch_later(page)
            assert app.rebuild(lambda: NOW) is not None
            found = re.search(rb'reload\.js\?build=([^"]+)"', call(app, "/en/")[1])
            assert found is not None
            tags.append(found.group(1))
    assert len(set(tags)) == 4


FOUR_LANGUAGES = SITE_YML.replace("  - {code: ar}\n", "  - {code: ar}\n  - {code: az}\n  - {code: uz}\n")
CRISIS_EN = '---\ntitle: "Evacuation notice"\ndate: 2026-11-20T10:00:00+04:00\nalert: critical\n---\nLeave the area.\n'
CRISIS_MESSAGE = "critical alert is not published in ar, az, uz"


def test_preview_lists_the_builds_warnings_on_every_page_and_never_in_a_build(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": FOUR_LANGUAGES, "content/announcements/evacuation.en.md": CRISIS_EN})
    app = PreviewApp(root, root / ".legation-cache/preview")
    report = app.rebuild(lambda: NOW)
    assert report is not None and report.ok
    assert [w.message.split(":")[0] for w in report.warnings] == [CRISIS_MESSAGE]
    for path in ("/en/", "/ar/", "/en/announcements/evacuation/", "/no/such/page/"):
        _, body = call(app, path)
        overlay = body[body.index(b'<aside class="legation-preview-warnings"'):]
        assert overlay.index(b"</aside>") < overlay.index(b"</body>")  # inside the page, after its content
        assert b"<code>content/announcements/evacuation.en.md</code>: " + CRISIS_MESSAGE.encode() in overlay
        assert b"Fix: add announcements/evacuation.&lt;lang&gt;.md for ar, az, uz" in overlay
    # The preview adds it as it serves: neither the preview's own files nor a real build carry any of it.
    assert run_build(root).ok
    pages = list((root / "public").rglob("*.html"))
    assert pages and not [page for page in pages if b"_legation" in page.read_bytes()]
    held = [app.memory.output(path) for path in app.memory.outputs if path.endswith(".html")]
    assert held and not [output for output in held if output is None or output.data is None or b"_legation" in output.data]
    # A build without warnings shows none.
    (root / "content/announcements/evacuation.en.md").unlink()
    assert app.rebuild(lambda: NOW) is not None and not app.state.report.warnings  # type: ignore[union-attr]
    assert b"legation-preview-warnings" not in call(app, "/en/")[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_process(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    return subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


@contextmanager
def preview_server(root: Path) -> Iterator[str]:
    """A real `legation serve` process on a free port; yields its base URL once it answers."""
    import urllib.request

    port = free_port()
    process = serve_process(root, "--port", str(port))
    try:
        _get(f"http://127.0.0.1:{port}/", urllib.request)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_serve_command_serves_over_http(make_site: Callable[..., Path]) -> None:
    """One real `legation serve` process: it answers on 127.0.0.1 and rebuilds after a save."""
    import urllib.request

    root = make_site()
    with preview_server(root) as base:
        body = _get(f"{base}/en/", urllib.request)
        assert "Consular hours" in body
        page = root / "content/announcements/consular-hours.en.md"
        page.write_text(page.read_text().replace('title: "Consular hours"', 'title: "Consular hours changed"'))
        deadline = time.monotonic() + 30
        while "Consular hours changed" not in body and time.monotonic() < deadline:
            time.sleep(0.3)
            body = _get(f"{base}/en/", urllib.request)
        assert "Consular hours changed" in body


def _get(url: str, request: Any) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except request.HTTPError as exc:  # the page of a failed build, a 404: the server answers
            return str(exc.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


RELOAD_WAIT_MS = 20_000  # a build of the small site and a page load, on a busy machine


def _save_at(path: Path, text: str, when: float) -> float:
    """Write ``text`` into ``path`` no earlier than ``when`` (time.monotonic()); returns when it was written."""
    time.sleep(max(0.0, when - time.monotonic()))
    path.write_text(text, encoding="utf-8")
    return time.monotonic()


def test_every_build_reloads_the_open_page_however_soon_after_the_last(make_site: Callable[..., Path]) -> None:
    """In Chromium, with the site's CSP enforced: saves 1 s and 1.5 s apart each reload the page (livereload
    dropped any reload within 2.7 s of the previous one, so the fix of an error stayed on the error page)."""
    require_chromium()
    from playwright.sync_api import expect

    root = make_site()
    source = root / "content/announcements/consular-hours.en.md"
    text = source.read_text(encoding="utf-8")
    titled = lambda title: text.replace('title: "Consular hours"', f'title: "{title}"')  # noqa: E731
    with preview_server(root) as base, chromium_page(bypass_csp=False) as page:
        page.goto(f"{base}/en/announcements/consular-hours/")  # type: ignore[attr-defined]
        heading, body = page.locator("h1"), page.locator("body")  # type: ignore[attr-defined]
        expect(heading).to_have_text("Consular hours")
        # livereload also dropped every reload in its first 2.7 s: start later, so that the 1 s gap is what is tested
        saved = _save_at(source, titled("Consular hours one"), time.monotonic() + 3.0)
        expect(heading).to_have_text("Consular hours one", timeout=RELOAD_WAIT_MS)
        saved = _save_at(source, titled("Consular hours two"), saved + 1.0)
        expect(heading).to_have_text("Consular hours two", timeout=RELOAD_WAIT_MS)
        # An error, then its fix 1.5 s later: the page ends on the fixed content, not on the error page.
        saved = _save_at(source, titled("Consular hours two").replace("date: 2026-11-01T10:00:00+04:00", "date: soon"),
                         saved + 1.0)
        expect(body).to_contain_text("content/announcements/consular-hours.en.md:3", timeout=RELOAD_WAIT_MS)
        _save_at(source, titled("Consular hours fixed"), saved + 1.5)
        expect(heading).to_have_text("Consular hours fixed", timeout=RELOAD_WAIT_MS)


def test_a_missing_crisis_translation_is_visible_while_previewing(make_site: Callable[..., Path]) -> None:
    """In Chromium, with the site's CSP enforced, the warning is on screen over the English and the Arabic page."""
    require_chromium()
    from playwright.sync_api import expect

    root = make_site({"site.yml": FOUR_LANGUAGES, "content/announcements/evacuation.en.md": CRISIS_EN})
    with preview_server(root) as base, chromium_page(bypass_csp=False) as page:
        for path in ("/en/announcements/evacuation/", "/ar/"):
            page.goto(base + path)  # type: ignore[attr-defined]
            overlay = page.locator(".legation-preview-warnings")  # type: ignore[attr-defined]
            expect(overlay).to_be_visible()
            expect(overlay).to_contain_text(f"content/announcements/evacuation.en.md: {CRISIS_MESSAGE}")
            expect(overlay).to_have_css("position", "fixed")  # its style sheet loaded despite the site's CSP
            box = overlay.bounding_box()
            viewport = page.viewport_size  # type: ignore[attr-defined]
            assert box is not None and 0 <= box["y"] < viewport["height"] and box["height"] > 20


def _start_failure(root: Path, *args: str) -> tuple[int, str]:
    process = serve_process(root, *args)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("legation serve started instead of failing")
    return process.returncode, stderr.decode("utf-8")


def test_a_port_in_use_is_one_message_with_a_hint(make_site: Callable[..., Path]) -> None:
    root = make_site()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, stderr = _start_failure(root, "--port", str(port))
    assert code == 1 and "Traceback" not in stderr
    assert stderr.splitlines() == [f"--port {port}: error: 127.0.0.1:{port} is already in use by another program",
                                   "    hint: stop the other server (another legation serve?) or pick a free port: "
                                   f"--port {port + 1}"]


@pytest.mark.parametrize("host, message", [
    ("no-such-host.invalid", "--host no-such-host.invalid: error: cannot listen on 'no-such-host.invalid': not an "
                             "address or host name of this machine"),
    ("192.0.2.1", "--host 192.0.2.1: error: 192.0.2.1 is not an address of this machine"),  # TEST-NET-1, RFC 5737
])
def test_a_wrong_host_is_one_message_with_a_hint(make_site: Callable[..., Path], host: str, message: str) -> None:
    code, stderr = _start_failure(make_site(), "--host", host, "--port", str(free_port()))
    assert code == 1 and "Traceback" not in stderr
    first, hint = stderr.splitlines()
    assert first.startswith(message) and hint == "    hint: pass --host 127.0.0.1 (the default) or an address of this machine"


def test_a_folder_without_site_yml_is_one_message_not_a_server(tmp_path: Path) -> None:
    code, stderr = _start_failure(tmp_path, "--port", str(free_port()))
    assert code == 1
    assert stderr.splitlines() == [f"site.yml: error: no site.yml in {tmp_path.resolve()}",
                                   "    hint: run legation in the site's folder or pass --root DIR"]


@pytest.mark.parametrize("port, hint", [
    (80, "ports below 1024 need administrator rights: pass --port 8000 or another port from 1024 up"),
    (8080, "the system (a firewall or security policy) refuses port 8080: pick another --port, such as 8000"),
])
def test_a_port_refused_by_the_system_is_one_message_with_a_hint(make_site: Callable[..., Path],
                                                                  monkeypatch: pytest.MonkeyPatch, port: int,
                                                                  hint: str) -> None:
    """Ports below 1024 need administrator rights; the tests may run as root, so the refusal is simulated."""
    class Refused(socket.socket):
        def bind(self, address: Any) -> None:
            self.close()  # as the system would leave it: nothing bound
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(socket, "socket", Refused)
    result = cli(make_site(), "serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"--port {port}: error: no permission to listen on 127.0.0.1:{port}",
                                          f"    hint: {hint}"]


def test_serve_listens_on_loopback_only_unless_told() -> None:
    """A preview of unpublished statements must not be reachable from the office network by default."""
    serve_command = main.commands["serve"]  # type: ignore[attr-defined]
    (host,) = [param for param in serve_command.params if param.name == "host"]
    assert host.default == "127.0.0.1"
    assert "--host" in CliRunner().invoke(main, ["serve", "--help"]).output


def _status(base: str, path: str, headers: dict[str, str]) -> int:
    import http.client

    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=20)
    try:
        connection.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_the_preview_refuses_other_host_names_and_other_origins(make_site: Callable[..., Path]) -> None:
    """DNS rebinding: a web page can point its own name at 127.0.0.1 and read drafts and embargoed items from
    the preview; its requests, and its WebSocket handshakes, carry that name."""
    with preview_server(make_site()) as base:
        port = urlsplit(base).port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"preview.localhost:{port}"):
            assert _status(base, "/en/", {"Host": host}) == 200, host
        for host in (f"attacker.example:{port}", f"127.0.0.1.nip.io:{port}", "", f"localhost.attacker.example:{port}"):
            assert _status(base, "/en/", {"Host": host} if host else {}) in (400, 403), host
        own = f"127.0.0.1:{port}"
        assert _status(base, "/_legation/reload", {"Host": own, "Origin": f"http://{own}", **UPGRADE}) == 101
        for origin in ("https://attacker.example", f"http://attacker.example:{port}", "null"):
            assert _status(base, "/_legation/reload", {"Host": own, "Origin": origin, **UPGRADE}) == 403, origin
        evil = f"attacker.example:{port}"
        assert _status(base, "/_legation/reload", {"Host": evil, "Origin": f"http://{evil}", **UPGRADE}) == 403


def test_a_save_made_before_the_system_watches_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save right after the first build, before the operating system watches the folder, is in no batch of the
    watcher: once the watch is set up (its first quiet second), the files' times are compared. It was lost until
    the next save (a CI run caught it: the page never changed)."""
    import threading

    import watchfiles

    from generator.commands import serve as serve_module

    saves: list[str] = []
    calls: list[tuple[int, bool, frozenset[str] | None]] = []

    def system_watch(*paths: str, **options: Any) -> Iterator[set[tuple[Any, str]]]:
        saves.append("content/announcements/a.en.md")  # saved while the watch is being set up
        if options.get("yield_on_timeout"):
            yield set()  # then a quiet second, the watch in place

    monkeypatch.setattr(watchfiles, "watch", system_watch)
    serve_module.watch(tmp_path, lambda told, changed: calls.append((len(saves), told, changed)), threading.Event())
    assert calls == [(1, False, None)]  # after the save: compare the files' times (and build, as they differ)


def test_the_watcher_wakes_for_the_sites_files_only(tmp_path: Path) -> None:
    """Saves under content/, templates/, themes/, i18n/, static/ and site.yml rebuild; the output, the caches, an
    editor's swap and backup files do not (a rebuild for each would loop: a build writes its cache)."""
    from generator.commands.serve import watched

    keep = watched(tmp_path)
    wanted = ["content/announcements/a.en.md", "site.yml", "templates/item.html", "i18n/az.yml",
              "static/style.css", "themes/mine/theme.yml", "root/google1234.html",  # from a new user's trial:
              "ledger/announcements/a.yml"]  # a build reads these two, and the preview did not rebuild for them
    ignored = ["public/en/index.html", ".legation-cache/pages-v2.json", "content/announcements/.a.en.md.swp",
               "content/announcements/a.en.md~", "content/.#a.en.md", "content/announcements/#a.en.md#",
               "content/announcements/4913", "snippets/en/index.html", "notes.txt"]
    assert [path for path in wanted if not keep(None, str(tmp_path / path))] == []
    assert [path for path in ignored if keep(None, str(tmp_path / path))] == []


def test_a_mission_preview_watches_its_ministrys_content_and_network_yml(tmp_path: Path) -> None:
    """A mission's pages carry its ministry's items: a save in the ministry's content/ or network.yml rebuilds the
    mission's preview (and is seen by the poll, where the system cannot tell), a save elsewhere there does not."""
    import shutil

    from generator.commands.serve import outside_inputs, watched

    demo = Path(__file__).resolve().parent.parent / "examples" / "ministry"
    ministry = tmp_path / "ministry"
    shutil.copytree(demo, ministry, ignore=shutil.ignore_patterns("public", ".legation-cache"))
    mission = ministry / "missions" / "baku"
    outside = outside_inputs(mission)
    assert outside == ("../../network.yml", "../../content", "../../ledger")
    keep = watched(mission, outside)
    assert keep(None, str(ministry / "content/announcements/statement-on-the-border-agreement.en.md"))
    assert keep(None, str(ministry / "network.yml")) and keep(None, str(mission / "site.yml"))
    assert not keep(None, str(ministry / "missions/paris/content/announcements/elections-abroad.fr.md"))
    assert not keep(None, str(ministry / "content/announcements/x.en.md.swp"))
    app = PreviewApp(mission, tmp_path / "preview")
    assert app.outside == outside and app.rebuild(lambda: NOW) is not None
    assert app.rebuild(lambda: NOW) is None  # nothing changed
    item = ministry / "content/announcements/statement-on-the-border-agreement.en.md"
    item.write_text(item.read_text(encoding="utf-8") + "\nA sentence the ministry added.\n", encoding="utf-8")
    report = app.rebuild(lambda: NOW)  # the poll's way: the files' times compared
    assert report is not None and report.ok
    page = app.memory.output("en/announcements/statement-on-the-border-agreement/index.html")
    assert page is not None and page.data is not None and b"A sentence the ministry added." in page.data


def test_a_page_that_fails_after_its_build_is_told_once_and_never_for_a_newer_build(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    """The after-work tells a failure of the build it worked for; a newer build that failed meanwhile told its own
    problems (found as the same YAML error printed twice in the preview's terminal)."""
    from generator.core.errors import LegationError, SourceLocation

    root = make_site()
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    before = app.state
    assert app.failed_since(before) == ()
    app.failed_after(LegationError.at(SourceLocation("templates/item.html", 3), "template error", "fix it", "template"))
    assert [problem.message for problem in app.failed_since(before)] == ["template error"]
    item = next((root / "content/announcements").glob("*.en.md"))
    item.write_text(item.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and not report.ok and report.errors[0].location.path.endswith(item.name)
    assert app.failed_since(before) == ()  # that build's own summary told it


def test_a_template_save_with_a_syntax_error_fails_its_build_located(make_site: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    """From a new user's trial: the save was told as built ("0 warnings"), every page then answered with the error
    and the terminal told it seconds later. The changed template is compiled with the build, which fails with the
    error at its line; fixing it builds again."""
    root = make_site()
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    template = root / "templates" / "item.html"
    template.parent.mkdir(exist_ok=True)
    theme = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "item.html"
    good = theme.read_text(encoding="utf-8")
    template.write_text(good.replace("{{ page.title }}", "{{ page.title }", 1), encoding="utf-8")
    assert "{{ page.title }}" in good
    report = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(template)}))
    assert report is not None and not report.ok
    assert [(p.location.path, p.code) for p in report.errors] == [("templates/item.html", "template")]
    assert report.errors[0].location.line > 0 and "syntax" in report.errors[0].message
    template.write_text(good.replace("<article", '<article data-fixed="yes"', 1), encoding="utf-8")
    fixed = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(template)}))
    assert fixed is not None and fixed.ok
    item = next(path for path in app.memory.outputs if path.startswith("en/announcements/") and
                path.endswith("/index.html") and path.count("/") == 3)
    assert b'data-fixed="yes"' in (app.memory.output(item) or pytest.fail("no page")).data  # type: ignore[operator]


def test_a_post_that_does_not_fit_is_told_after_a_save(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """From a new user's trial: after a save the posts' board is made after the reload, and its warning (an X post
    that does not fit) was told by a CLI build and never by the preview, on its pages or in its terminal."""
    root = make_site({"site.yml": SITE_YML + "snippets: {platforms: [x]}\n"})
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    app.catch_up(search=False)
    item = next((root / "content/announcements").glob("*.en.md"))
    item.write_text(item.read_text(encoding="utf-8").replace('title: "', 'title: "' + "A very long title " * 20, 1),
                    encoding="utf-8")
    report = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(item)}))
    assert report is not None and report.ok
    before = app.state
    app.catch_up(search=False)
    told = app.warned_since(before)
    assert [p.location.path for p in told if "does not fit" in p.message] == [str(item.relative_to(root))]
    assert app.state.report is not None and set(told) <= set(app.state.report.warnings)  # on its pages too
