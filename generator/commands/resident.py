"""The resident builder: one background process per site that keeps what a build read, parsed, assembled and
made (engine/memory.py, the preview's engine) between `legation build` runs, as Gradle's daemon and Bazel's server
do, so that an edit build does the work of the edit and not of the whole site (no imports, no cache loaded whole,
no template compiled again). `legation build` hands its build over a private Unix socket and prints what it is
sent back, exactly as if it had built itself; the files are written by engine/publish.py through the CLI's own
staging, so the live site is as safe as ever.

The CLI builds by itself, as before, whenever the builder is not there, still starting, made by another version
of legation or another Python, started under other settings (environment variables a build reads), or fails in
any way. The builder starts in the background after such a build, makes the whole site once in memory, and
leaves after IDLE_SECONDS without a build (saving the caches a build without it reads, first), when its socket
is removed, on SIGTERM, or when asked (``stop``). Only the user who started it can connect: the socket
lives in a folder of theirs that no one else may enter, and the peer's user id is checked on every connection.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import signal
import site
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.run import BuildOptions, BuildReport

if TYPE_CHECKING:
    from ..engine.memory import Memory

IDLE_SECONDS = 900.0  # a builder without a build for this long leaves (LEGATION_RESIDENT_IDLE overrides it)
SAVE_AFTER = 2.0  # seconds without a build before the builder writes the caches a build without it reads
MAX_MESSAGE = 1 << 20  # bytes of one request line
HUNG_SECONDS = 600.0  # a builder that sends nothing for this long (beyond --lock-wait) is taken as stuck
#: what a build reads from the environment (or a library it calls does): a builder started under other values
#: is not used. PYTHONPATH is not among them: which code runs is in the stamp itself
#: (not SOURCE_DATE_EPOCH: the CLI resolves the clock and sends it with each build)
ENVIRONMENT = ("LEGATION_MARKDOWN", "XDG_STATE_HOME", "HOME", "PATH", "TZ", "TZDIR", "LANG", "LC_ALL", "LC_CTYPE",
               "TMPDIR")


@dataclass(frozen=True)
class Place:
    """Where one site's builder listens (``socket``), holds its lock (``lock``) and writes its log (``log``)."""

    socket: Path
    lock: Path
    log: Path


def place(root: Path) -> Place | None:
    """The builder's files for ``root`` in this user's private folder; None where there is none to be had (no
    Unix sockets, or a folder that is not this user's alone)."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    # the runtime folder is used only when it is the user's own, as the XDG specification says it is (a root
    # shell that kept a user's XDG_RUNTIME_DIR must not work in a folder that user can rename things in)
    folder = Path(base, "legation") if base and os.path.isabs(base) and _private(Path(base)) else \
        Path(tempfile.gettempdir(), f"legation-{os.getuid()}")
    try:
        folder.mkdir(mode=0o700, parents=False, exist_ok=True)
    except OSError:
        return None
    # a folder another user made first, or a link to one, is never used: they could read or replace the socket
    if not _private(folder):
        return None
    key = hashlib.sha256(os.fsencode(root)).hexdigest()[:24]
    return Place(folder / f"{key}.sock", folder / f"{key}.lock", folder / f"{key}.log")


def _private(folder: Path) -> bool:
    """Whether ``folder`` is a folder (not a link) of this user's that no one else may enter or write in."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def _open(path: Path, flags: int) -> int:
    """A file of the builder's folder, never through a link, readable by this user alone."""
    fd = os.open(path, flags | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    os.fchmod(fd, 0o600)
    return fd


def stamp(root: Path) -> str:
    """What a builder must share with the CLI that hands it a build: the Python, legation's code (each file's time
    and size), the libraries' folders, the environment a build reads, the site folder itself."""
    digest = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{os.getuid()}".encode())
    package = Path(__file__).resolve().parent.parent
    for file in sorted(package.rglob("*.py")):
        info = file.stat()  # a copy that keeps the files' times (cp -p, rsync -t) still changes ctime and inode
        digest.update(f"{file.relative_to(package)}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\0"
                      f"{info.st_size}\0".encode())
    for folder in sorted({*sysconfig.get_paths().values(), site.getusersitepackages()}):  # a library installed,
        with contextlib.suppress(OSError):  # removed or upgraded changes its folder's time
            digest.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\0".encode(errors="surrogateescape"))
    for name in ENVIRONMENT:
        digest.update(f"{name}={os.environ.get(name)}\0".encode(errors="surrogateescape"))
    info = os.stat(root)
    digest.update(f"{root}\0{info.st_dev}\0{info.st_ino}".encode(errors="surrogateescape"))
    return digest.hexdigest()


def wanted(choice: bool | None) -> bool:
    """Whether `legation build` uses a resident builder: ``--resident`` / ``--no-resident``, else
    LEGATION_RESIDENT=1 / 0, else when someone runs it in a terminal (never in CI or a nightly job)."""
    if choice is not None:
        return choice
    setting = os.environ.get("LEGATION_RESIDENT", "").strip().lower()
    if setting in ("1", "true", "yes", "on"):
        return True
    if setting in ("0", "false", "no", "off"):
        return False
    terminal = all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stderr))  # None: fd closed
    return terminal and not os.environ.get("CI")


# --- the CLI's side ---------------------------------------------------------------------------------------------

def hand_over(options: BuildOptions, progress: Callable[[str], None] | None) -> BuildReport | None:
    """The report of ``options``' build, made by the site's resident builder; None when there is none ready to
    make it (the CLI then builds by itself)."""
    found = place(options.root)
    if found is None or options.force or not options.write or not options.incremental:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(5.0)
        connection.connect(str(found.socket))
        # a build waits for another as long as --lock-wait says, then tells each stage as it starts; a builder
        # silent for much longer than that is taken as stuck, and the CLI builds by itself
        connection.settimeout(options.lock_wait + HUNG_SECONDS)
        request = {"root": str(options.root), "stamp": stamp(options.root), "out": str(options.out_dir),
                   "now": options.now.isoformat(), "drafts": options.drafts,
                   "strict": options.strict, "jobs": options.jobs, "lock_wait": options.lock_wait,
                   "signing_key": str(options.signing_key) if options.signing_key else None}
        connection.sendall(json.dumps(request, ensure_ascii=True).encode() + b"\n")
        with connection.makefile("rb") as answers:
            for line in answers:
                answer = json.loads(line)
                if "progress" in answer:
                    if progress is not None:
                        progress(str(answer["progress"]))
                elif "report" in answer:
                    return BuildReport.from_wire(answer["report"])
                else:  # declined: another version, other settings (it leaves; the next build starts a new one)
                    return None
    except (OSError, ValueError, KeyError, TypeError):  # none there, gone meanwhile, or an answer cut short
        return None
    finally:
        connection.close()
    return None


def start(root: Path) -> bool:
    """Start the site's builder in the background unless one is running or starting; whether one was started."""
    found = place(root)
    if found is None:
        return False
    if _running(found):
        return False
    try:
        log = os.fdopen(_open(found.log, os.O_WRONLY | os.O_TRUNC), "wb")
    except OSError:
        return False
    package = Path(__file__).resolve().parent.parent
    # this very package (not another installed one: the stamps would differ, and every build would start a builder
    # that leaves), loaded from its own folder without putting the folder around it on the path (nothing there
    # shadows the standard library or the libraries)
    code = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('generator', "
            f"{str(package / '__init__.py')!r}, submodule_search_locations=[{str(package)!r}]); "
            "module = importlib.util.module_from_spec(spec); sys.modules['generator'] = module; "
            "spec.loader.exec_module(module); from generator.commands.resident import main; main()")
    with log:
        try:
            subprocess.Popen([sys.executable, "-P", "-c", code, str(root)], stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT, cwd="/", start_new_session=True, close_fds=True)
        except OSError:
            return False
    return True


def stop(root: Path, wait: float = 120.0) -> bool:
    """Ask the site's builder to leave (after saving its caches; one still making the site in memory is waited
    for) and wait until it has; whether one was there."""
    found = place(root)
    if found is None:
        return False
    deadline = time.monotonic() + wait
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.settimeout(max(1.0, deadline - time.monotonic()))
            connection.connect(str(found.socket))
            connection.sendall(b'{"stop": true}\n')
            connection.recv(1)
            break
        except OSError:
            if not _running(found) or time.monotonic() > deadline:
                return False
            time.sleep(0.1)  # starting: its socket is made once the site is in memory
        finally:
            connection.close()
    while _running(found) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def _running(found: Place) -> bool:
    """Whether a builder holds the lock (one runs, or is starting)."""
    try:
        lock = _open(found.lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(lock)


# --- the builder's side -----------------------------------------------------------------------------------------

def main() -> None:
    """The builder's process: ``python -c ... <site folder>`` (see ``start``)."""
    root = Path(sys.argv[1])
    idle = float(os.environ.get("LEGATION_RESIDENT_IDLE", "") or IDLE_SECONDS)
    sys.exit(serve_builds(root, idle))


def serve_builds(root: Path, idle: float) -> int:
    """Make the site once in memory, then answer builds until ``idle`` seconds pass without one."""
    found = place(root)
    if found is None:
        return 1
    try:
        lock = _open(found.lock, os.O_RDWR)  # held until the process ends
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(lock, 0)
        os.write(lock, str(os.getpid()).encode())  # who it is, for `ps` and the benchmark's memory reading
    except OSError:
        return 0  # another builder of this site runs
    signals = _Signals()
    signal.signal(signal.SIGTERM, signals.term)
    own = stamp(root)
    from ..core.heap import large_blocks_mapped  # the builder's own: the CLI that imports this module needs none

    large_blocks_mapped()  # a freed board or feed goes back to the system, not into the heap for good
    builder = _Builder(root)
    _log(f"making {root} in memory")
    builder.prime()
    with contextlib.suppress(FileNotFoundError):
        found.socket.unlink()  # left by a builder that was killed: the lock says none runs
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(found.socket))
        os.chmod(found.socket, 0o600)
        bound = os.stat(found.socket).st_ino
        listener.listen(8)
        listener.settimeout(1.0)
        _log("ready")
        last = time.monotonic()
        while not signals.asked:
            try:
                signals.idle = True  # SIGTERM leaves at once only here: in a build it leaves when the build is done
                connection, _ = listener.accept()
            except TimeoutError:
                quiet = time.monotonic() - last
                builder.tidy()
                if quiet > SAVE_AFTER:
                    builder.save_caches()
                if quiet > idle or not _still(found.socket, bound) or not root.is_dir():
                    break
                continue
            finally:
                signals.idle = False
            with connection:
                if not _serve(connection, builder, root, own):
                    break
            last = time.monotonic()
    except _Leave:
        pass
    finally:
        builder.save_caches()
        with contextlib.suppress(OSError):
            if _still(found.socket, bound):
                found.socket.unlink()
        listener.close()
        _log("left")
    return 0


class _Leave(BaseException):  # SIGTERM while the builder waits for a request
    pass


class _Signals:
    """SIGTERM for one builder: raised as _Leave while it waits; during a build (or its first one) only noted, and
    it leaves once that build is answered (raised inside a build, it was raised in the middle of a worker pool,
    whose workers then waited for ever to send their pages). Mutable on purpose: the handler sets it."""

    def __init__(self) -> None:
        self.idle = False
        self.asked = False

    def term(self, *_: object) -> None:
        self.asked = True
        if self.idle:
            raise _Leave


def _still(path: Path, inode: int) -> bool:
    """Whether the socket file is still the one this builder made (removed or replaced: it leaves)."""
    try:
        return os.lstat(path).st_ino == inode
    except OSError:
        return False


def _log(line: str) -> None:
    print(f"{datetime.now().isoformat(timespec='seconds')} {line}", flush=True)


def _serve(connection: socket.socket, builder: _Builder, root: Path, own: str) -> bool:
    """Answer one connection; False when the builder must leave."""
    connection.settimeout(10.0)
    if hasattr(socket, "SO_PEERCRED"):  # Linux: the folder is the user's alone anyway
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
            return True
    try:
        with connection.makefile("rb") as reader:
            line = reader.readline(MAX_MESSAGE)
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("not an object")
    except (OSError, ValueError):
        return True
    if request.get("stop"):
        builder.save_caches()
        _send(connection, {"stopped": True})
        return False
    if request.get("root") != str(root) or request.get("stamp") != own:
        _log("declined a build: " + ("another site" if request.get("root") != str(root) else "another version of "
                                     "legation or other settings; leaving"))
        _send(connection, {"declined": "another version of legation, or other settings"})
        return request.get("root") != str(root)  # the same site under other code: leave, a new builder follows
    try:
        options = _options(root, request)
    except (KeyError, TypeError, ValueError):
        _send(connection, {"declined": "a request this builder does not understand"})
        return True
    connection.settimeout(30.0)  # a CLI that stops reading does not hold the build (and its lock) for ever
    try:  # each stage is told (the CLI shows it in a terminal): a builder silent for long is taken as stuck
        builder.build(options, lambda stage: _send(connection, {"progress": stage}),
                      lambda report: _send(connection, {"report": report.wire()}), lambda: _listening(connection))
    except Exception as exc:  # a fault of the builder: the CLI builds by itself (unless answered), and it leaves
        _log(f"failed: {exc!r}")
        _send(connection, {"declined": "the resident builder failed"})
        return False
    return True


def _listening(connection: socket.socket) -> bool:
    """Whether the CLI that asked is still there (interrupted, it closed its end: nothing is written then)."""
    timeout = connection.gettimeout()
    connection.settimeout(0.0)  # a socket with a timeout would wait that long for a byte first
    try:
        return connection.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        connection.settimeout(timeout)


def _options(root: Path, request: dict[str, Any]) -> BuildOptions:
    signing = request.get("signing_key")
    return BuildOptions(root, Path(str(request["out"])), datetime.fromisoformat(str(request["now"])),
                        drafts=bool(request["drafts"]), strict=bool(request["strict"]), jobs=int(request["jobs"]),
                        lock_wait=float(request["lock_wait"]), signing_key=Path(signing) if signing else None)


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    """One line to the CLI; a CLI that went away (interrupted) does not stop the build it asked for."""
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps(message, ensure_ascii=True).encode() + b"\n")


class _Builder:
    """The memory one builder keeps, and the output folder its last build wrote (what its caches describe).
    Mutable on purpose: one process owns one, and answers one build at a time."""

    def __init__(self, root: Path) -> None:
        from ..core.inotify import Watch
        from ..engine.publish import resident_memory
        from ..engine.untouched import Sentry

        self.root = root
        self.memory: Memory = resident_memory()
        # what the kernel says changed since the last build: nothing, and a no-change build looks at no file
        self.sentry = Sentry(root, Watch.start())
        self.written: tuple[Path, str] | None = None  # (output folder, its manifest's identity) after a build
        self.saved = True
        self.tidied = False

    def prime(self) -> None:
        """The whole site made once, in memory, with every core (from the caches a CLI build left, if any)."""
        from ..core.cache import code_digest, load_markdown_cache, load_page_cache
        from ..core.clock import resolve_clock
        from ..engine.build import build
        from ..engine.fastpath import load_state
        from ..engine.publish import remember_digests

        code = code_digest()
        self.memory.code = code
        self.memory.markdown = load_markdown_cache(self.root)[0]
        self.memory.pages = dict(load_page_cache(self.root, code)[0].entries)
        # at the clock of the build that started it (it saved its state just before), which the next build's is
        # near: made at another, the first edit after it found statuses changed and assembled everything again
        # (1.8 s at 3,000 items, where the builds named their clock with --now)
        state = load_state(self.root)
        now = datetime.fromisoformat(state.clock) if state is not None else resolve_clock(None, os.environ)
        report = build(BuildOptions(self.root, self.root / "public", now, jobs=os.cpu_count() or 1,
                                    snippets_in_site=True), memory=self.memory)
        _log(report.summary())
        remember_digests(self.memory)
        self.sentry.prepare()  # its folders watched before it listens: the first build's answer is not delayed
        kept = self.memory.environment
        if kept is not None:  # compiled here once now: the first build rendered in worker processes
            for name in kept[1].list_templates(filter_func=lambda name: name.endswith(".html")):
                with contextlib.suppress(Exception):  # a template that fails is told by the build that uses it
                    kept[1].get_template(name)
        self.tidy()

    def build(self, options: BuildOptions, progress: Callable[[str], None] | None,
              answer: Callable[[BuildReport], None] | None = None,
              going_on: Callable[[], bool] | None = None) -> BuildReport:
        """``options``' build (``answer``, ``going_on``: see publish.build_resident)."""
        from ..core.files import manifest_id
        from ..engine.publish import PUBLISHED, build_resident

        # until this build is known to have written what its memory holds, no cache describes the output (a fault
        # raised out of it, or SIGTERM, must not leave the caches of a build that was never written)
        self.written, self.saved = None, True
        report = build_resident(options, self.memory, progress, answer, going_on, self.sentry)
        self.sentry.after(options, report.ok, PUBLISHED in report.timings)
        gc.freeze()  # what it holds now is old: the collector need not walk it again in the next build (see tidy)
        self.tidied = False
        if report.ok and PUBLISHED in report.timings:  # its memory is what the live folder holds now
            out_dir = Path(report.out_dir)
            self.written, self.saved = (out_dir, manifest_id(out_dir)), False
        _log(report.summary())
        return report

    def tidy(self) -> None:
        """In a pause between builds: collect the cycles dropped since, and freeze what is held (as the preview)."""
        if not self.tidied:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.tidied = True

    def save_caches(self) -> None:
        """The caches a build without the builder reads, as its last build left them: the parsed pages and the
        Markdown (keyed by content: always right), and the units' table for the output folder as this builder
        wrote it (only while its manifest is still the one this builder wrote: no other build came since)."""
        if self.saved or self.written is None:
            return
        from ..core.cache import PageCache, save_markdown_cache, save_page_cache, save_render_state
        from ..core.files import build_lock, manifest_id

        self.saved = True
        out_dir, manifest = self.written
        memory = self.memory
        try:
            with build_lock(out_dir, 0.0):
                if manifest_id(out_dir) == manifest:
                    save_render_state(self.root, str(out_dir), memory.units, manifest)
        except Exception as exc:  # locked by a build, or gone: that build saves its own
            _log(f"caches not saved: {exc!r}")
        save_markdown_cache(self.root, memory.markdown)
        save_page_cache(self.root, memory.code, memory.pages, PageCache())
