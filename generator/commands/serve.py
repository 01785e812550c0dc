"""`legation serve`: build, serve the output on 127.0.0.1, rebuild and reload on every save.

A failed build does not stop the server: every HTML request then answers with
a page that shows the problems (file, line, message, the offending lines), and
the next good save clears it. The warnings of the latest build are listed over
every page. Every completed build reloads the open pages, however soon after
the previous one: each page holds a WebSocket (generator/preview/reload.js, a
script file, as the site's CSP allows no inline script) and the server answers
at once when the page is older than its latest build. All this is added to a
page as it is served, never to the files a build writes. tornado stays behind
this one module.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import gc
import html
import ipaddress
import mimetypes
import os
import posixpath
import re
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from tornado import httpserver, ioloop, netutil, web, websocket

from ..core.errors import LegationError, Problem, SourceLocation, printable
from ..core.heap import heap_trimmer, large_blocks_mapped, one_heap
from ..core.model import OutputFile
from ..core.paths import editor_file
from ..core.units import packed
from ..engine.build import BuildOptions, BuildReport, build
from ..engine.fastpath import INPUTS, WRITTEN_INPUTS, input_files
from ..engine.memory import Memory
from ..sources.config import CONFIG_FILE, load_config

WATCHED = (*INPUTS, *WRITTEN_INPUTS)  # every input a build reads in the site's folder, the ledger among them
PREVIEW_DIR = ".legation-cache/preview"
_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
_PREVIEW_CSP = (b'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
                b"img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
                b"connect-src 'self' ws: wss:\">")
#: What the preview adds to a page (the reload script, the warnings' style) is served from here, never built.
ASSETS = Path(__file__).resolve().parent / "preview"
ASSET_URL = "/_legation/"
_ASSET_TYPES = MappingProxyType({"reload.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"})
RELOAD_URL = "/_legation/reload"
MAX_NAMED = 200  # a burst of more changed files than this is taken as "something changed" (see watch)
SEARCH_PAUSE = 3.0  # seconds without a save before the preview makes the search index again
POLL_SECONDS = 0.5  # how often the watched files are compared with the last build's


@dataclass(frozen=True)
class PreviewState:
    """The latest build's outcome, swapped as a whole after each rebuild."""

    report: BuildReport | None
    fingerprint: tuple[tuple[str, int, int], ...] = ()
    build: int = 0  # how many builds completed: a page served after build n reloads when n is not the latest
    server: str = ""  # one server process: a page it did not serve reloads when it reconnects after a restart

    @property
    def tag(self) -> str:
        """Names the build a page was served from, unique across restarts of the server."""
        return f"{self.server}-{self.build}"


@dataclass(frozen=True)
class Response:
    """One HTTP answer of the preview."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def fingerprint(root: Path, names: Iterable[str] = WATCHED) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every watched file: equal fingerprints mean nothing to rebuild."""
    entries = []
    for name in names:
        folder = str(root / name)
        for file in input_files(folder):
            try:
                stat = os.stat(file)
            except OSError:  # a link to nothing, a file gone meanwhile
                continue
            entries.append(((name + file[len(folder):]).replace(os.sep, "/"), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def _bytes(output: OutputFile) -> bytes:
    if output.data is not None:
        return output.data
    return Path(output.copy_from or "").read_bytes()  # a static or media file, kept where the build found it


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
    """A WSGI app serving the site from the resident build's memory, or the error page after a failed build.

    Nothing is written to disk: the site a build made is held in ``memory.outputs`` (swapped whole when a build
    succeeds), and the next build takes from ``memory`` whatever its changes did not touch. ``out_dir`` only
    names the preview in messages and in the snippet board's state.
    """

    def __init__(self, root: Path, out_dir: Path, jobs: int = 1):
        self.root, self.out_dir, self.jobs = root, out_dir, jobs
        self.outside = outside_inputs(root)  # a mission's: its ministry's network.yml and content/, watched too
        self.state = PreviewState(None, server=secrets.token_hex(4))
        self.lock = threading.Lock()
        self.building = threading.Event()
        self.memory = Memory()
        self.give_back = heap_trimmer()  # looked up once: finding the C library may start a process

    def rebuild(self, now: Callable[[], Any], force: bool = False, told: bool = False,
                changed: frozenset[str] | None = None) -> BuildReport | None:
        """Build unless nothing changed since the last build (collapses bursts of saves). ``told``: the operating
        system said that a watched file changed, so the files' times need not be compared first; ``changed``:
        which files it said changed since the last build (all of them), when it could say."""
        self.building.set()  # the after-work (catch_up) stops at its next unit
        try:
            return self._rebuild(now, force, told, changed if told else None)
        finally:
            self.building.clear()

    def _rebuild(self, now: Callable[[], Any], force: bool, told: bool,
                 changed: frozenset[str] | None) -> BuildReport | None:
        with self.lock:
            current = () if told else fingerprint(self.root, (*WATCHED, *self.outside))
            if not (force or told) and self.state.report is not None and current == self.state.fingerprint:
                return None
            # worker processes only for the first build: later ones make few units, and a fork while another
            # thread renders could copy a lock that thread holds
            jobs = self.jobs if self.state.report is None else 1
            report = build(BuildOptions(self.root, self.out_dir, now(), drafts=True, snippets_in_site=True,
                                        jobs=jobs, changed=None if force else changed), memory=self.memory)
            self.state = PreviewState(report, current, self.state.build + 1, self.state.server)
            # What the preview holds now is old: the cyclic collector need not walk it on every later save (a
            # full collection of ~3 million objects took 0.1-0.15 s of a 1000-item save). Cycles dropped
            # meanwhile are collected in a pause (``tidy``); the rest is freed by reference counts, as ever.
            gc.freeze()
            return report

    def tidy(self) -> None:
        """In a pause in the saves: collect the cycles dropped since the last pause, then freeze what is held."""
        with self.lock:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.give_back()  # what the builds since freed, to the system (glibc kept it: +20 MiB a save, 1000 items)

    def catch_up(self, search: bool = True) -> bool:
        """Make what the last build left for later: every pending unit (each page is made on its first request
        anyway), then (unless ``search`` is False) the search indexes of the languages whose pages changed.
        Stops as soon as a build wants to run, which hands over its own pending units; True when something was
        made. A unit that fails makes the preview show the error, as a failed build does."""
        did = False
        for pending in self.memory.pending_units():
            if self.building.is_set():
                return did
            try:
                self.memory.realise(pending)
            except LegationError as exc:
                self.failed_after(exc)
                return did
            did = True
        from ..engine.stages import LaterBoard  # loaded by the build already

        board = self.memory.snippets
        if isinstance(board, LaterBoard) and board.pending.done:
            self.warned_after(board.problems)  # the posts that do not fit, as a build without the preview tells them
        renderer = self.memory.pending
        if renderer is None or self.building.is_set() or not search:
            return did
        try:
            made = renderer.render_deferred()  # the slow part (Pagefind), while requests are answered
        except LegationError as exc:
            self.failed_after(exc)
            return did
        with self.lock:
            if self.memory.pending is not renderer:  # a build came meanwhile: its own deferred work follows
                return did
            self.memory.pending = None
            outputs, units = dict(self.memory.outputs), dict(self.memory.units)
            for key, digest, files in made:
                for path in units.get(key, ("", []))[1]:
                    outputs.pop(path, None)
                for output in files:
                    outputs[output.path] = packed(output)
                if digest is not None:
                    units[key] = (digest, [output.path for output in files])
            self.memory.outputs, self.memory.units = outputs, units
        return True

    def failed_after(self, exc: LegationError) -> None:
        """A unit made after its build (on request, or by catch_up) failed: the preview shows it as a failed build."""
        report = self.state.report
        if report is not None and report.ok:
            failed = dataclasses.replace(report, ok=False, problems=(*exc.problems, *report.problems))
            self.state = PreviewState(failed, self.state.fingerprint, self.state.build, self.state.server)

    def warned_after(self, problems: Iterable[Problem]) -> None:
        """Warnings of a unit made after its build (the posts' board): added to that build's report, shown and
        told as its own (a post that does not fit was told by a CLI build and never by the preview)."""
        report = self.state.report
        if report is None:
            return
        new = tuple(problem for problem in problems if problem not in report.problems)
        if new:
            told = dataclasses.replace(report, problems=(*report.problems, *new))
            self.state = PreviewState(told, self.state.fingerprint, self.state.build, self.state.server)

    def warned_since(self, before: PreviewState) -> tuple[Problem, ...]:
        """The warnings added to ``before``'s build since (see warned_after); none once a newer build came."""
        state = self.state
        if state is before or state.build != before.build or state.report is None or before.report is None:
            return ()
        return tuple(problem for problem in state.report.warnings if problem not in before.report.problems)

    def failed_since(self, before: PreviewState) -> tuple[Problem, ...]:
        """The errors of a unit of ``before``'s build that failed since (none when a newer build replaced it: that
        build told its own problems, and saying them again would give one mistake two messages)."""
        state = self.state
        if state is before or state.build != before.build or state.report is None:
            return ()
        return tuple(state.report.errors)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        response = self.respond(environ.get("PATH_INFO", "/"))
        start_response(response.status, list(response.headers))
        return [response.body]

    def respond(self, path: str) -> Response:
        """The answer to a GET of ``path`` (already percent-decoded)."""
        state = self.state
        if path.startswith(ASSET_URL) and path[len(ASSET_URL):] in _ASSET_TYPES:
            name = path[len(ASSET_URL):]
            return Response("200 OK", (("Content-Type", _ASSET_TYPES[name]), ("Cache-Control", "no-store")),
                            (ASSETS / name).read_bytes())
        report = state.report
        wants_html = path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]
        if report is not None and not report.ok and wants_html:
            return Response("500 Build Failed", (("Content-Type", "text/html; charset=utf-8"),),
                            self._preview(error_page(report.problems, self.root), state))
        try:
            file = self._resolve(path)
        except LegationError as exc:  # a page made on request (see Memory.output) whose template failed
            self.failed_after(exc)
            return Response("500 Build Failed", (("Content-Type", "text/html; charset=utf-8"),),
                            self._preview(error_page(exc.problems, self.root), self.state))
        if file is None:
            missing = self.memory.output("404.html")
            body = _bytes(missing) if missing is not None else b"Not found"
            return Response("404 Not Found", (("Content-Type", "text/html; charset=utf-8"),), self._preview(body, state))
        kind = mimetypes.guess_type(file.path.rsplit("/", 1)[-1])[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/json"):
            kind += "; charset=utf-8"
        body = _bytes(file)
        return Response("200 OK", (("Content-Type", kind), ("Cache-Control", "no-store")),
                        self._preview(body, state) if kind.startswith("text/html") else body)

    def _resolve(self, path: str) -> OutputFile | None:
        """Only files the build made (a name, never a path on disk); a folder serves its index.html. A page
        whose unit is pending is made now (a LegationError when its template or content fails)."""
        name = posixpath.normpath("/" + path).lstrip("/")  # "/en/../x" is "x", as a browser would ask for it
        if name in ("", "."):
            return self.memory.output("index.html")
        return self.memory.output(name) or self.memory.output(f"{name}/index.html")

    @staticmethod
    def _preview(body: bytes, state: PreviewState) -> bytes:
        """The page as the preview shows it: the reload script file (which the site's CSP allows once it may
        open a WebSocket) and the build's warnings; the built site keeps its strict policy and none of this."""
        found = _CSP.search(body)
        wasm = found is not None and b"'wasm-unsafe-eval'" in found.group(0)  # the search page runs Pagefind
        body = _CSP.sub(_PREVIEW_CSP.replace(b"script-src 'self';", b"script-src 'self' 'wasm-unsafe-eval';")
                        if wasm else _PREVIEW_CSP, body, count=1)
        head = (f'<link rel="stylesheet" href="{ASSET_URL}preview.css">'
                f'<script src="{ASSET_URL}reload.js?build={state.tag}" defer></script>').encode()
        body = body.replace(b"</head>", head + b"</head>", 1)
        warnings = state.report.warnings if state.report is not None else []
        if warnings:
            overlay = warnings_overlay(warnings)
            end = body.rfind(b"</body>")
            body = body + overlay if end < 0 else body[:end] + overlay + body[end:]
        return body


def warnings_overlay(warnings: Iterable[Problem]) -> bytes:
    """The build's warnings, each with its file:line and hint, in a box over the bottom of the page."""
    items = [
        "<li><code>{loc}</code>: {msg}{hint}</li>".format(
            loc=html.escape(printable(str(problem.location))), msg=html.escape(printable(problem.message)),
            hint=f"<br>Fix: {html.escape(printable(problem.hint))}" if problem.hint else "")
        for problem in warnings]
    count = f"{len(items)} warning" + ("" if len(items) == 1 else "s")
    return (f'<aside class="legation-preview-warnings" lang="en" dir="ltr" aria-label="Build warnings">'
            f"<details open><summary>{count} in the last build (shown by the preview only)</summary>"
            f'<ol>{"".join(items)}</ol></details></aside>').encode()


def host_allowed(host_header: str, listening_on: str) -> bool:
    """Whether a request's Host (name[:port]) is one this server may answer: an IP address, ``localhost`` (and
    its subdomains), or the name it was told to listen on. A web page can point a name of its own at 127.0.0.1
    (DNS rebinding) and read drafts and embargoed items from the preview; its requests carry that name."""
    name = urlsplit(f"//{host_header}").hostname if host_header else None
    if not name:
        return False
    name = name.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost") or name == listening_on.strip("[]").lower():
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Guarded(web.RequestHandler):
    """Refuses a request whose Host is not this machine's own name (see host_allowed)."""

    listening_on = ""

    def prepare(self) -> None:
        if not host_allowed(self.request.host, self.listening_on):
            self.set_status(403, "Forbidden")
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("legation serve answers only to localhost and IP addresses: open http://127.0.0.1:"
                        f"{self.request.host.rpartition(':')[2] or '8000'}/ instead\n")


class _Reloads:
    """The open pages' sockets; each is told when a build completes."""

    def __init__(self, app: PreviewApp):
        self.app = app
        self.sockets: set[_ReloadSocket] = set()

    def tell_all(self) -> None:
        for page in list(self.sockets):
            page.tell(self.app.state.tag)


class _ReloadSocket(websocket.WebSocketHandler, _Guarded):
    """One open page: reloaded after every build, and at once when it was served before the latest build."""

    def initialize(self, reloads: _Reloads, listening_on: str) -> None:
        self.reloads, self.listening_on = reloads, listening_on

    def check_origin(self, origin: str) -> bool:
        """Only a page of this server itself: same host and port, and an allowed host (another site's page
        could otherwise learn when the officer saves, and what the preview serves)."""
        parts = urlsplit(origin)
        return parts.netloc == self.request.host and host_allowed(parts.netloc, self.listening_on)

    def open(self, *args: str, **kwargs: str) -> None:
        self.reloads.sockets.add(self)
        latest = self.reloads.app.state.tag
        if self.get_argument("build", "") != latest:  # a build finished while the page loaded, or the server restarted
            self.tell(latest)

    def on_close(self) -> None:
        self.reloads.sockets.discard(self)

    def tell(self, build: str) -> None:
        try:
            self.write_message(build)
        except websocket.WebSocketClosedError:
            self.reloads.sockets.discard(self)


class _Pages(_Guarded):
    """Every other request: the preview app's answer."""

    def initialize(self, app: PreviewApp, listening_on: str) -> None:
        self.app, self.listening_on = app, listening_on

    def get(self, *args: str, **kwargs: str) -> None:
        response = self.app.respond(unquote(self.request.path))
        code, reason = response.status.split(" ", 1)
        self.set_status(int(code), reason)
        for name, value in response.headers:
            self.set_header(name, value)
        self.finish(response.body)

    head = get


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to ``host``:``port`` (both families of a name), or a LegationError saying why not."""
    where = f"{host or 'every address'}:{port}"
    try:
        return netutil.bind_sockets(port, address=host or None)
    except socket.gaierror as exc:
        raise LegationError.at(SourceLocation(f"--host {host}"),
                               f"cannot listen on {host!r}: not an address or host name of this machine ({exc.strerror})",
                               "pass --host 127.0.0.1 (the default) or an address of this machine", "serve-host") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else 8000
            raise LegationError.at(SourceLocation(f"--port {port}"), f"{where} is already in use by another program",
                                   f"stop the other server (another legation serve?) or pick a free port: --port {other}",
                                   "serve-port") from None
        if exc.errno == errno.EACCES:
            hint = ("ports below 1024 need administrator rights: pass --port 8000 or another port from 1024 up"
                    if port < 1024 else f"the system (a firewall or security policy) refuses port {port}: pick another "
                    "--port, such as 8000")
            raise LegationError.at(SourceLocation(f"--port {port}"), f"no permission to listen on {where}", hint,
                                   "serve-port") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise LegationError.at(SourceLocation(f"--host {host}"), f"{host} is not an address of this machine",
                                   "pass --host 127.0.0.1 (the default) or an address of this machine",
                                   "serve-host") from None
        raise LegationError.at(SourceLocation(f"--port {port}"), f"cannot listen on {where}: {exc.strerror or exc}",
                               "pass another --port, or --host 127.0.0.1", "serve-listen") from None


def serve(root: Path, port: int, host: str, now: Callable[[], Any], log: Callable[[str], None]) -> None:
    """Run the preview server until interrupted; a LegationError when it cannot start."""
    if not (root / CONFIG_FILE).is_file():
        load_config(root)  # raises the located error `legation build` gives; any other problem shows in the page
    sockets = listen(host, port)  # before the first build: a busy port is told at once
    one_heap()  # before any thread starts: the build, the after-work and the requests allocate from one heap
    large_blocks_mapped()  # a freed board or feed goes back to the system, not into the heap for good
    app = PreviewApp(root, root / PREVIEW_DIR, jobs=os.cpu_count() or 1)  # the first build uses every core
    reloads = _Reloads(app)
    loop: list[ioloop.IOLoop] = []  # the server's loop, once it runs: told from the watcher's thread
    stop, due = threading.Event(), threading.Event()  # due: a build left work for later (see after_work)

    def rebuild(told: bool = False, changed: frozenset[str] | None = None) -> None:
        report = app.rebuild(now, told=told, changed=changed)
        if report is not None:
            log(report.summary())
            for problem in report.problems:
                log(problem.format())
            if loop:
                loop[0].add_callback(reloads.tell_all)  # the pages reload now; what was deferred follows
            due.set()

    def after_work() -> None:
        """Makes what each build left for later (pending pages, search indexes), in its own thread, while
        the pages reload and are answered; a new build interrupts it."""
        while not stop.is_set():
            if not due.wait(0.5):
                continue
            due.clear()
            before = app.state
            app.catch_up(search=False)
            # the search index (seconds of Pagefind's time on both cores) waits for a pause in the saves, so that
            # it never slows the next save's page; a save meanwhile starts the loop again
            if not due.wait(SEARCH_PAUSE) and not stop.is_set():
                if app.memory.pending is not None:
                    app.catch_up()
                app.tidy()
            failed = app.failed_since(before)  # a page failed to render
            for problem in (*app.warned_since(before), *failed):
                log(problem.format())
            if failed and loop:
                loop[0].add_callback(reloads.tell_all)

    async def run() -> None:
        application = web.Application([(RELOAD_URL, _ReloadSocket, {"reloads": reloads, "listening_on": host}),
                                       (r".*", _Pages, {"app": app, "listening_on": host})],
                                      log_function=lambda handler: None)
        server = httpserver.HTTPServer(application)
        server.add_sockets(sockets)
        loop.append(ioloop.IOLoop.current())
        await asyncio.Event().wait()

    rebuild()
    for name, work in (("legation-watch", lambda: watch(root, rebuild, stop, app.outside)),
                       ("legation-after", after_work)):
        threading.Thread(target=work, name=name, daemon=True).start()
    log(f"Serving {root} from memory on http://{host}:{port}/ (drafts and scheduled items shown; social posts at "
        "/_snippets/); Ctrl-C stops")
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        log("legation serve: stopped")
    finally:
        stop.set()


def outside_inputs(root: Path) -> tuple[str, ...]:
    """What the site's build reads outside its folder, relative to it: a mission's ministry's network.yml and
    content/ (nothing when site.yml cannot be read: the build tells why)."""
    from ..sources.network import network_inputs

    try:
        config = load_config(root)
    except LegationError:
        return ()
    return tuple(os.path.relpath(path, root) for path in network_inputs(root, config))


def watched(root: Path, outside: Iterable[str] = ()) -> Callable[[Any, str], bool]:
    """Which file events are the site's: under one of WATCHED (content/, templates/, …, site.yml), or under one of
    ``outside`` (relative to the site); not an editor's swap, lock or backup file (paths.editor_file)."""
    base = os.path.abspath(root)
    others = tuple(os.path.normpath(os.path.join(base, path)) for path in outside)

    def keep(change: Any, path: str) -> bool:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        top = relative.split("/", 1)[0]
        name = relative.rsplit("/", 1)[-1]
        mine = top in WATCHED or any(path == other or path.startswith(other + os.sep) for other in others)
        return mine and not editor_file(name)

    return keep


def watch(root: Path, rebuild: Callable[[bool, frozenset[str] | None], None], stop: threading.Event,
          outside: tuple[str, ...] = ()) -> None:
    """Call ``rebuild`` after every burst of saves, told by the operating system (inotify, FSEvents, …) with the
    paths it named, and after 0.5 s polls where it cannot tell (a network file system, a full inotify table).
    ``outside``: what the build reads outside the site (relative to it), watched too."""
    import watchfiles

    paths: list[str] = [str(root), *(os.path.normpath(root / path) for path in outside if os.path.exists(root / path))]
    try:
        first = True
        # a quiet second yields an empty batch: the first one comes once the watch is set up, and then the files'
        # times are compared, for a save made after the first build but before the system watched (it is in no
        # batch: a save made right after the server answered was lost until the next one)
        for changes in watchfiles.watch(*paths, watch_filter=watched(root, outside), stop_event=stop, step=20, debounce=1600,
                                        rust_timeout=1000, yield_on_timeout=True, raise_interrupt=False):
            if not changes:
                if first:
                    rebuild(False, None)
                first = False
                continue
            # the paths are all that changed, except in the first batch (a save before the watch was set up is
            # not in it) and in a flood (a checkout: the system's queue may have overflowed, and dropped some)
            named = None if first or len(changes) > MAX_NAMED else frozenset(path for _, path in changes)
            rebuild(True, named)
            first = False
    except OSError:  # no watch could be set up: compare the files' times instead
        while not stop.wait(POLL_SECONDS):
            rebuild(False, None)
