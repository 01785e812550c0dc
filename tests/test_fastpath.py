"""The no-change shortcut (generator/fastpath.py): fingerprints, schedule boundaries, saved state."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.fastpath import BuildState, boundaries, crossed, fingerprint, load_state, save_state
from generator.model import EventInfo, Page, Withdrawal

T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def page(**extra: object) -> Page:
    return Page(source="content/announcements/a.en.md", section="announcements", slug="a", lang="en", title="A",
                body_html="", source_hash="x", **extra)  # type: ignore[arg-type]


def test_fingerprint_follows_files_and_settings(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    file = tmp_path / "content" / "a.en.md"
    file.write_text("one")
    first = fingerprint(tmp_path, [], "out|False|False")
    assert fingerprint(tmp_path, [], "out|False|False") == first
    assert fingerprint(tmp_path, [], "out|True|False") != first
    stat = file.stat()
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert fingerprint(tmp_path, [], "out|False|False") != first
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "x.json").write_text("{}")  # outputs are not inputs
    assert fingerprint(tmp_path, [], "out|False|False") == fingerprint(tmp_path, [], "out|False|False")


def test_boundaries_collect_every_schedule_instant() -> None:
    found = boundaries([
        page(publish_at=T0 + timedelta(hours=1), expires_at=T0 + timedelta(days=3)),
        page(withdrawn=Withdrawal(T0 + timedelta(days=1), "old")),
        page(event=EventInfo(start=T0 + timedelta(days=5), end=T0 + timedelta(days=6))),
    ])
    assert found == tuple(sorted((T0 + d).isoformat() for d in
                                 (timedelta(hours=1), timedelta(days=3), timedelta(days=1), timedelta(days=6))))


def test_crossed_only_when_a_boundary_falls_in_the_window() -> None:
    state = BuildState("f", T0.isoformat(), ((T0 + timedelta(hours=30)).isoformat(),), {})
    assert not crossed(state, T0 + timedelta(hours=1))  # boundary beyond now + 24 h
    assert crossed(state, T0 + timedelta(hours=7))  # now + 24 h reaches it
    assert crossed(state, T0 - timedelta(hours=1), horizon=timedelta(hours=40))


def test_state_round_trip_and_corruption(tmp_path: Path) -> None:
    state = BuildState("abc", T0.isoformat(), ("2027-01-01T00:00:00+00:00",), {"files": 3})
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
    for file in (tmp_path / ".legation-cache").glob("state-*.json"):
        file.write_text('{"fingerprint": 1}')
    assert load_state(tmp_path) is None
