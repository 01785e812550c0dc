"""`legation serve`: build, serve the output on 127.0.0.1, rebuild and reload on every save.

A failed build does not stop the server: every HTML request then answers with
a page that shows the problems (file, line, message, the offending lines), and
the next good save clears it. livereload stays behind this one module.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import BuildOptions, BuildReport, build
from .errors import Problem, printable
from .fastpath import input_files

WATCHED = ("content", "templates", "themes", "i18n", "static", "site.yml")
PREVIEW_DIR = ".legation-cache/preview"
_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
_PREVIEW_CSP = (b'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
                b"img-src 'self' https: data:; style-src 'self'; script-src 'self' 'unsafe-inline'; "
                b"connect-src 'self' ws: wss:\">")


@dataclass(frozen=True)
class PreviewState:
    """The latest build's outcome, swapped as a whole after each rebuild."""

    report: BuildReport | None
    fingerprint: tuple[tuple[str, int, int], ...] = ()


def fingerprint(root: Path, names: Iterable[str] = WATCHED) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every watched file: equal fingerprints mean nothing to rebuild."""
    entries = []
    for name in names:
        for file in input_files(str(root / name)):
            try:
                stat = os.stat(file)
            except OSError:  # a link to nothing, a file gone meanwhile
                continue
            entries.append((os.path.relpath(file, root).replace(os.sep, "/"), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def error_page(problems: Iterable[Problem], root: Path) -> bytes:
    """A self-contained HTML page listing build problems with the offending source lines."""
    items = []
    for problem in problems:
        if problem.severity != "error":
            continue
        excerpt = _excerpt(root, problem)
        items.append(
            "<li><p><code>{loc}</code>: {msg}</p>{hint}{excerpt}</li>".format(
                loc=html.escape(printable(str(problem.location))), msg=html.escape(printable(problem.message)),
                hint=f"<p>Fix: {html.escape(printable(problem.hint))}</p>" if problem.hint else "", excerpt=excerpt))
    body = "".join(items) or "<li>The build failed.</li>"
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed · legation preview</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}li{margin-block-end:1.5rem}"
        "pre{background:#f6f6f6;padding:.75rem;overflow-x:auto}mark{background:#ffd7d7}</style></head>"
        f"<body><h1>The preview build failed</h1><p>Save a fix and this page reloads by itself.</p><ol>{body}</ol>"
        "</body></html>"
    ).encode()


def _excerpt(root: Path, problem: Problem) -> str:
    if not problem.location.line:
        return ""
    try:
        lines = (root / problem.location.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    line = problem.location.line
    start, end = max(1, line - 2), min(len(lines), line + 2)
    shown = []
    for number in range(start, end + 1):
        text = html.escape(f"{number:4} | {lines[number - 1]}")
        shown.append(f"<mark>{text}</mark>" if number == line else text)
    return "<pre>" + "\n".join(shown) + "</pre>"


class PreviewApp:
    """A WSGI app serving only the preview folder, or the error page after a failed build."""

    def __init__(self, root: Path, out_dir: Path):
        self.root, self.out_dir = root, out_dir
        self.state = PreviewState(None)
        self.lock = threading.Lock()

    def rebuild(self, now: Callable[[], Any], force: bool = False) -> BuildReport | None:
        """Build unless nothing changed since the last build (collapses bursts of saves)."""
        with self.lock:
            current = fingerprint(self.root)
            if not force and self.state.report is not None and current == self.state.fingerprint:
                return None
            report = build(BuildOptions(self.root, self.out_dir, now(), drafts=True, snippets_in_site=True))
            self.state = PreviewState(report, current)
            return report

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        report = self.state.report
        wants_html = path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]
        if report is not None and not report.ok and wants_html:
            start_response("500 Build Failed", [("Content-Type", "text/html; charset=utf-8")])
            return [error_page(report.problems, self.root)]
        file = self._resolve(path)
        if file is None:
            missing = self.out_dir / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
            return [self._preview(body)]
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/json"):
            kind += "; charset=utf-8"
        body = file.read_bytes()
        start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [self._preview(body) if kind.startswith("text/html") else body]

    def _resolve(self, path: str) -> Path | None:
        """Only files inside the preview folder; directories serve their index.html."""
        base = self.out_dir.resolve()
        try:
            target = (base / path.lstrip("/")).resolve()
            target.relative_to(base)
        except (ValueError, OSError):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    @staticmethod
    def _preview(body: bytes) -> bytes:
        """Allow livereload's inline script in the preview only; the built site keeps its strict policy."""
        return _CSP.sub(_PREVIEW_CSP, body, count=1)


def serve(root: Path, port: int, host: str, now: Callable[[], Any], log: Callable[[str], None]) -> None:
    """Run the preview server until interrupted."""
    from livereload import Server

    out_dir = root / PREVIEW_DIR
    app = PreviewApp(root, out_dir)

    def rebuild() -> None:
        report = app.rebuild(now)
        if report is not None:
            log(report.summary())
            for problem in report.errors:
                log(problem.format())

    rebuild()
    server = Server(app)
    for name in WATCHED:
        if (root / name).exists():
            server.watch(str(root / name), rebuild, delay=0.3)
    log(f"Serving {out_dir} on http://{host}:{port}/ (drafts and scheduled items shown; social posts at /_snippets/); "
        "Ctrl-C stops")
    server.serve(port=port, host=host, debug=False, restart_delay=0)
