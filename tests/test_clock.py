"""The build clock (generator/clock.py): --now, else SOURCE_DATE_EPOCH, else the system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from generator.core.clock import resolve_clock


def test_now_wins_and_keeps_its_zone() -> None:
    moment = resolve_clock("2026-11-23T16:00:00+04:00", {"SOURCE_DATE_EPOCH": "0"})
    assert moment == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=4)


def test_now_without_zone_is_utc() -> None:
    assert resolve_clock("2026-11-23T12:00:00", {}) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_source_date_epoch() -> None:
    assert resolve_clock(None, {"SOURCE_DATE_EPOCH": " 1795435200 "}) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_system_clock_is_aware_and_whole_seconds() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    moment = resolve_clock(None, {})
    assert moment.tzinfo is not None and moment.microsecond == 0
    assert before <= moment <= datetime.now(UTC)


@pytest.mark.parametrize(("now", "env"), [("yesterday", {}), (None, {"SOURCE_DATE_EPOCH": "soon"})])
def test_bad_values_raise_value_error(now: str | None, env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        resolve_clock(now, env)
