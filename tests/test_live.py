"""`legation verify URL` (generator/live.py) against a real web server on 127.0.0.1 serving a copy of the
build, then a tampered copy."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from generator.commands.cli import main
from generator.commands.live import expected_headers
from generator.outputs.security import headers_for
from tests.conftest import run_build

REPO = Path(__file__).resolve().parent.parent


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("live") / "site"
    root.mkdir()
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    assert run_build(root, root / "public").ok
    return root


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """serve(folder, headers=True) → the URL of Python's http.server serving ``folder`` (with the headers of
    its _headers file on every answer, as a host configured from it would)."""
    servers: list[ThreadingHTTPServer] = []

    def serve(folder: Path, headers: dict[str, str] | None = None, types: dict[str, str] | None = None,
              rules: str = "") -> str:
        """``rules``: a _headers text, applied per path as the hosts that read it do."""
        extra = dict(headers or {})

        class Handler(SimpleHTTPRequestHandler):
            extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, ".ics": "text/calendar",
                              ".xml": "application/xml", **(types or {})}

            def end_headers(self) -> None:
                for name, value in {**extra, **headers_for(rules, urlsplit(self.path).path)}.items():
                    self.send_header(name, value)
                super().end_headers()

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_the_live_copy_of_the_build_matches(built: Path, tmp_path: Path, server: Callable[..., str]) -> None:
    live = tmp_path / "www"
    shutil.copytree(built / "public", live)
    rules = expected_headers(built / "public")
    assert "Content-Security-Policy" in rules and "X-Content-Type-Options" in rules
    url = server(live, rules=rules)
    result = cli(built, "verify", url)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("every file matches")


def test_a_host_that_gives_the_sites_policy_to_every_path_breaks_search_and_is_reported(
        built: Path, tmp_path: Path, server: Callable[..., str]) -> None:
    """A host configured by hand with one Content-Security-Policy for /*: the search pages' script then may
    not run Pagefind's WebAssembly (two policies are both enforced), and verify says so."""
    live = tmp_path / "www"
    shutil.copytree(built / "public", live)
    rules = expected_headers(built / "public")
    everywhere = headers_for(rules, "/en/")
    result = cli(built, "verify", server(live, rules=f"/*\n  Content-Security-Policy: {everywhere['content-security-policy']}\n"
                                          "  X-Content-Type-Options: nosniff\n"))
    assert result.exit_code == 1
    assert "header: content-security-policy is " in result.output and "(first: /search/" in result.output
    assert "wasm-unsafe-eval" in result.output


def test_a_defaced_page_a_missing_file_an_extra_one_and_missing_headers_are_reported(
        built: Path, tmp_path: Path, server: Callable[..., str]) -> None:
    live = tmp_path / "www"
    shutil.copytree(built / "public", live)
    page = live / "en/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Embassy", "Hacked embassy"), encoding="utf-8")
    (live / "ar/feed.xml").unlink()
    manifest = json.loads((live / ".legation-manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["old/leftover.html"] = "0" * 64
    (live / ".legation-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    url = server(live, {"X-Content-Type-Options": "nosniff"})  # a host that sends only one of the headers
    result = cli(built, "verify", url)
    assert result.exit_code == 1
    assert "changed: /en/index.html — sha256" in result.output
    assert "missing: /ar/feed.xml — HTTP 404" in result.output
    assert "extra: /old/leftover.html" in result.output
    assert "header: content-security-policy missing on " in result.output
    assert "x-content-type-options" not in result.output.split("legation verify:")[0]
    data = json.loads(cli(built, "verify", url, "--json").output)
    assert data["ok"] is False and {f["kind"] for f in data["findings"]} == {"changed", "missing", "extra", "header"}


def test_wrong_content_types_are_reported(built: Path, tmp_path: Path, server: Callable[..., str]) -> None:
    """A host that sends calendars as text/plain: Outlook and phones then show text instead of adding events."""
    live = tmp_path / "www"
    shutil.copytree(built / "public", live)
    result = cli(built, "verify", server(live, types={".ics": "text/plain"}, rules=expected_headers(built / "public")))
    assert result.exit_code == 1
    assert "content-type: /en/events/calendar.ics — served as text/plain, expected text/calendar" in result.output


def test_an_unreachable_site_is_one_clear_error(built: Path) -> None:
    result = cli(built, "verify", "http://127.0.0.1:9/", "--timeout", "2")
    assert result.exit_code == 1
    assert result.output.startswith("http://127.0.0.1:9/: error: the site did not answer")
    assert "Traceback" not in result.output
