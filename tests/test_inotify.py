"""generator/core/inotify.py: what changed under some folders, from the kernel, without looking at any file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from generator.core.inotify import Watch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's; elsewhere "
                                "Watch.start gives None and a builder looks at every file, by design")


@pytest.fixture
def watch() -> Watch:
    started = Watch.start()
    assert started is not None
    yield started  # type: ignore[misc]
    started.close()


def test_what_changed_is_named_once(tmp_path: Path, watch: Watch) -> None:
    (tmp_path / "content").mkdir()
    kept, edited, removed = (tmp_path / "content" / name for name in ("kept.md", "edited.md", "removed.md"))
    for file in (kept, edited, removed):
        file.write_text("x", encoding="utf-8")
    watch.add(str(tmp_path))
    assert watch.changes() == []
    kept.read_text(encoding="utf-8")  # a read is no change
    edited.write_text("y", encoding="utf-8")
    removed.unlink()
    os.utime(kept, ns=(0, 0))  # its time put back: a change too (size and time are what a build compares)
    changed = watch.changes()
    assert changed is not None and set(changed) == {str(edited), str(removed), str(kept)}
    assert watch.changes() == []


def test_a_folder_made_after_the_watch_began_is_watched_too(tmp_path: Path, watch: Watch) -> None:
    watch.add(str(tmp_path))
    bundle = tmp_path / "news" / "bundle"
    bundle.mkdir(parents=True)
    (bundle / "index.en.md").write_text("x", encoding="utf-8")  # before its folder's creation was read
    first = watch.changes()
    assert first is not None and str(bundle / "index.en.md") in first
    (bundle / "photo.jpg").write_bytes(b"jpeg")  # after: through the folder's own watch
    second = watch.changes()
    assert second is not None and set(second) == {str(bundle / "photo.jpg")}
    (bundle / "index.en.md").write_text("changed", encoding="utf-8")
    later = watch.changes()
    assert later is not None and str(bundle / "index.en.md") in later


def test_a_lost_event_makes_it_say_it_does_not_know(tmp_path: Path, watch: Watch) -> None:
    """The kernel's queue overflowed (a checkout of thousands of files at once): nothing is known, for good."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    watch.add(str(tmp_path))
    for number in range(limit // 2 + 10):  # each file: created and closed, two events
        (tmp_path / f"f{number}").touch()
    assert watch.changes() is None
    (tmp_path / "later").touch()
    assert watch.changes() is None
