"""fork_map (generator/parallel.py): results in input order, errors re-raised, identical to a serial map."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from generator.core.errors import LegationError, SourceLocation
from generator.core.parallel import WorkerCrash, fork_map, side_by_side


def square(x: int) -> int:
    return x * x


def test_results_keep_input_order_for_any_jobs() -> None:
    items = list(range(100))
    expected = [x * x for x in items]
    for jobs in (1, 2, 3, 7):
        assert fork_map(square, items, jobs) == expected


def test_work_really_runs_in_other_processes() -> None:
    pids = set(fork_map(lambda _: os.getpid(), list(range(40)), 2))
    assert len(pids) == 2 and os.getpid() not in pids


def test_small_inputs_run_inline() -> None:
    assert set(fork_map(lambda _: os.getpid(), list(range(5)), 4)) == {os.getpid()}


def test_closures_reach_workers_without_pickling() -> None:
    offset = object()
    assert fork_map(lambda x: (x, id(offset)), list(range(20)), 2) == [(x, id(offset)) for x in range(20)]


def test_a_located_error_in_a_worker_is_raised_in_the_parent() -> None:
    def fail(x: int) -> int:
        if x == 33:
            raise LegationError.at(SourceLocation("content/a.en.md", 4, 2), "bad", "fix it", "test")
        return x

    with pytest.raises(LegationError) as caught:
        fork_map(fail, list(range(40)), 2)
    assert caught.value.problems[0].location.line == 4


def test_a_dead_worker_is_reported() -> None:
    def die(x: int) -> int:
        if x == 30:
            os._exit(3)
        return x

    with pytest.raises(WorkerCrash, match="exit code 3"):
        fork_map(die, list(range(40)), 2)


class _Raised(BaseException):
    pass


def test_sigterm_ends_a_worker_whatever_handler_its_parent_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """From a new user's trial: a resident builder's SIGTERM handler (which raises) ran in its workers too, in the
    middle of sending their pages; the worker then waited for ever to send its error, and the builder for it."""
    import signal

    def raising(*_: object) -> None:
        raise _Raised

    previous = signal.signal(signal.SIGTERM, raising)
    try:
        def terminated(x: int) -> int:
            if x == 30:
                os.kill(os.getpid(), signal.SIGTERM)
            return x

        with pytest.raises(WorkerCrash, match="exit code -15"):  # ended by the signal, not by the handler's error
            fork_map(terminated, list(range(40)), 2)
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("failing", [(5, 6), (6, 5), (3, 30), (31, 20)])
def test_the_first_failing_item_is_reported_whatever_the_jobs(failing: tuple[int, int]) -> None:
    """Workers take interleaved items: the error raised must still be that of the first item that fails."""
    def fail(x: int) -> int:
        if x in failing:
            raise ValueError(f"item {x}")
        return x

    for jobs in (1, 2, 3):
        with pytest.raises(ValueError, match=f"item {min(failing)}$"):
            fork_map(fail, list(range(40)), jobs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="side_by_side forks on Linux only (elsewhere inline)")
def test_side_by_side_runs_the_second_job_in_another_process() -> None:
    here = os.getpid()
    first, second = side_by_side(lambda: f"first in {os.getpid()}", lambda: f"second in {os.getpid()}")
    assert first == f"first in {here}"
    assert second.startswith("second in ") and second != f"second in {here}"


def test_side_by_side_computes_the_second_job_itself_when_the_child_dies() -> None:
    here = os.getpid()

    def second() -> str:
        if os.getpid() != here:
            os._exit(3)  # the child dies without a word
        return "made here"

    assert side_by_side(lambda: "first", second) == ("first", "made here")


def test_side_by_side_does_not_fork_a_process_with_threads() -> None:
    here = os.getpid()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert side_by_side(lambda: "a", lambda: str(os.getpid())) == ("a", str(here))
    finally:
        release.set()
        other.join()


def test_side_by_side_keeps_text_that_is_not_utf8_and_long() -> None:
    odd = "\udcff" + "x" * 200_000  # a file name's stray byte, and more than one pipe buffer
    assert side_by_side(lambda: "", lambda: odd) == ("", odd)


def test_side_by_side_runs_both_here_when_no_process_can_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    here = str(os.getpid())
    assert side_by_side(lambda: "a", lambda: str(os.getpid())) == ("a", here)


def test_side_by_side_returns_every_string_as_it_was() -> None:
    odd = "\udcc3\udca9 and é"  # two stray bytes that would read as "é" if decoded with surrogateescape
    assert side_by_side(lambda: "", lambda: odd) == ("", odd)


INTERRUPTED = """
import signal, sys, time
from generator.core.parallel import fork_map

def work(item):
    if item == 0:
        time.sleep(3)  # the first worker's result is awaited first
    return b"x" * (8 << 20)  # more than a pipe holds: the second worker waits for it to be read

def interrupt(*_):
    raise KeyboardInterrupt
signal.signal(signal.SIGALRM, interrupt)
signal.alarm(1)  # as a SIGINT sent to this process alone
try:
    fork_map(work, [0, 1], 2, min_per_job=1)
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGALRM are POSIX's; elsewhere one process works alone")
def test_an_interrupted_map_ends_its_workers_and_returns() -> None:
    """From a new user's trial: a SIGINT sent to `legation serve` alone during its first build hung it for ever
    (each worker held the other pipes' reading ends, so closing one did not free its writer)."""
    done = subprocess.run([sys.executable, "-c", INTERRUPTED], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "interrupted", done.stderr
