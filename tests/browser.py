"""Shared helpers for the browser and validator tests: the demo build, a local server, the tools.

In CI (CI=true) a missing tool fails the test run; elsewhere the test is skipped
with a message saying how to install the tool.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
ICAL_JS = TOOLS / "ical.js" / "dist" / "ical.js"
CHROMIUM = Path(os.environ.get("LEGATION_CHROMIUM", "/usr/bin/chromium"))
DEMO_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require(condition: bool, what: str, how: str) -> None:
    """Fail in CI, skip elsewhere, when a tool the test needs is missing."""
    if condition:
        return
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_java() -> str:
    java = shutil.which("java")
    require(java is not None, "java", "install a Java 17 runtime")
    require(VNU_JAR.is_file(), "vnu.jar", "run: npm install --prefix tools")
    return str(java)


def require_node_ical() -> str:
    node = shutil.which("node")
    require(node is not None, "node", "install Node.js 20")
    require(ICAL_JS.is_file(), "ical.js", "run: npm install --prefix tools")
    return str(node)


def require_chromium() -> None:
    require(CHROMIUM.is_file(), "chromium", "install the Debian package chromium")
    require(AXE_JS.is_file(), "axe-core", "run: npm install --prefix tools")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "playwright", "pip install -e '.[test]'")


def build_demo(out: Path) -> Path:
    """Build the repository's demo site with a fixed clock into ``out``."""
    from generator.engine.build import BuildOptions, build

    report = build(BuildOptions(REPO, out, DEMO_NOW, incremental=False))
    assert report.ok, "\n".join(p.format() for p in report.problems)
    return out


@contextmanager
def serve_folder(folder: Path, honour_headers: bool = False) -> Iterator[str]:
    """Serve ``folder`` on a free localhost port; yields the base URL. With ``honour_headers``, each answer
    carries the headers the folder's ``_headers`` gives its path, as Netlify or Cloudflare Pages would send."""
    from generator.outputs.security import headers_for

    rules = (folder / "_headers").read_text(encoding="utf-8") if honour_headers else ""

    class Quiet(SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map,
                                                    ".js": "text/javascript", ".wasm": "application/wasm"}

        def end_headers(self) -> None:
            for name, value in headers_for(rules, urlsplit(self.path).path).items():
                if name != "strict-transport-security":
                    self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium_page(width: int = 1280, height: int = 900, bypass_csp: bool = True) -> Iterator[object]:
    """A page of a fresh Chromium; ``bypass_csp=False`` enforces the pages' Content-Security-Policy."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
            yield context.new_page()
        finally:
            browser.close()
