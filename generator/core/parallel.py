"""Map a function over items in forked worker processes, results in input order; or run two short jobs side by
side (``side_by_side``).

Workers are forked, so the function and the items reach them without
pickling (closures and bound methods work); only results travel back.
Errors raised in a worker (LegationError pickles cleanly) are re-raised in
the parent. Where fork is unavailable, or for small inputs, it runs inline.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")


class WorkerCrash(Exception):
    """A worker died or raised something that could not be sent back."""


def fork_map(func: Callable[[T], R], items: Sequence[T], jobs: int, min_per_job: int = 8) -> list[R]:
    """``[func(x) for x in items]``, spread over up to ``jobs`` forked processes."""
    import multiprocessing  # here: the no-change path (``side_by_side``) does without its 20 ms of imports

    jobs = min(jobs, len(items) // max(1, min_per_job))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    workers = []
    for start in range(jobs):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(func, items, start, jobs, sender, os.getpid()), daemon=True)
        process.start()
        sender.close()
        workers.append((process, receiver))
    results: list[R] = [None] * len(items)  # type: ignore[list-item]  # every slot is filled below, or it raises
    failures: list[tuple[int, BaseException]] = []  # (index of the item that failed, what it raised)
    try:
        for start, (process, receiver) in enumerate(workers):
            try:
                status, payload, index = receiver.recv()
            except EOFError:
                process.join()  # its exit code is known only once it has been reaped
                status, payload, index = "crash", WorkerCrash(f"a worker process died (exit code {process.exitcode})"), start
            receiver.close()
            process.join()
            if status == "ok":
                results[start::jobs] = payload
            else:
                failures.append((index, payload))
    except BaseException:
        # interrupted (Ctrl-C or SIGINT sent to this process alone, from a new user's trial): the workers still
        # sending wait for ever, as each holds the other pipes' reading ends too; they are ended, then reaped
        for process, receiver in workers:
            process.kill()
            receiver.close()
        for process, _ in workers:
            process.join()
        raise
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]  # the first item that failed, as with one process
    return results


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the build process dies.

    A killed build must not leave workers behind: they would hold the output
    folder's lock (inherited file descriptor) and block the next build.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _work(func: Callable[[T], R], items: Sequence[T], start: int, step: int, sender: Connection, parent: int) -> None:
    """Items start, start + step, …: interleaved, so that costly items that sit together (feeds, calendars)
    are shared between the workers instead of all landing on one."""
    _die_with_parent(parent)
    # SIGTERM ends a worker: a handler inherited from its parent (a resident builder's) must not run here, where it
    # raised in the middle of sending the results, and the worker then waited for ever to send its error instead
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    index = start
    try:
        results = []
        for index in range(start, len(items), step):
            results.append(func(items[index]))
        sender.send(("ok", results, -1))
    except BaseException as exc:  # the parent decides what to do with it
        try:
            sender.send(("error", exc, index))
        except Exception:
            sender.send(("error", WorkerCrash("".join(traceback.format_exception(exc))), index))
    finally:
        sender.close()


def side_by_side(first: Callable[[], str], second: Callable[[], str]) -> tuple[str, str]:
    """``(first(), second())``, with ``second`` run in a forked process meanwhile when that is safe (Linux, and no
    other thread in this process). For two jobs of system calls, each a tenth of a second: in two threads they
    were slower than one after the other, as each call hands the interpreter back and forth. Whatever goes wrong
    in the child (it raised, died, was interrupted), ``second`` runs here after all: the result never depends on
    the fork."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return first(), second()
    signals = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # an interrupt reaches the parent alone (below)
    try:
        reader, writer = os.pipe()
        try:
            child = os.fork()
        except OSError:  # no process to be had (a limit, memory): one after the other, as elsewhere
            os.close(reader)
            os.close(writer)
            child = -1
    except OSError:
        child = -1
    if child == 0:  # pragma: no cover - the child process (its result is checked in the parent's tests)
        status = 1
        try:
            _die_with_parent(os.getppid())
            os.close(reader)
            data = ("ok:" + second()).encode("utf-8", "surrogatepass")
            while data:
                data = data[os.write(writer, data):]
            status = 0
        except BaseException:  # the parent computes it itself
            pass
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    if child < 0:
        return first(), second()
    os.close(writer)
    try:
        result = first()
    finally:
        chunks = []
        with os.fdopen(reader, "rb") as pipe:
            chunks.append(pipe.read())
        _, status = os.waitpid(child, 0)
    text = b"".join(chunks).decode("utf-8", "surrogatepass")
    if status != 0 or not text.startswith("ok:"):
        return result, second()
    return result, text[3:]
