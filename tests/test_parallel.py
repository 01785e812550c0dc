"""fork_map (generator/parallel.py): results in input order, errors re-raised, identical to a serial map."""

from __future__ import annotations

import os

import pytest

from generator.core.errors import LegationError, SourceLocation
from generator.core.parallel import WorkerCrash, fork_map


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
