"""The no-change shortcut (generator/fastpath.py): fingerprints, schedule boundaries, saved state."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.core.cache import CACHE_DIR
from generator.core.model import EventInfo, Page, Withdrawal
from generator.engine.fastpath import (
    STATE_FILE,
    BuildState,
    boundaries,
    crossed,
    fingerprint,
    load_state,
    output_listing,
    output_stamp,
    save_state,
)

T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)
SETTINGS = "out|False|False"


def page(**extra: object) -> Page:
    return Page(source="content/announcements/a.en.md", section="announcements", slug="a", lang="en", title="A",
                body_html="", source_hash="x", **extra)  # type: ignore[arg-type]


def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.en.md").write_text("one")
    (tmp_path / "site.yml").write_text("title: x\n")
    return tmp_path


def test_fingerprint_is_stable_and_follows_settings(tmp_path: Path) -> None:
    root = site(tmp_path)
    first = fingerprint(root, [], SETTINGS)
    assert fingerprint(root, [], SETTINGS) == first and len(first) == 64 + 1 + 64  # read inputs | written ones
    assert fingerprint(root, [], "out|True|False") != first


def test_an_edit_that_keeps_the_size_and_puts_the_time_back_is_built(make_site: Callable[..., Path]) -> None:
    """From a new user's trial: `sed` then `touch -r` (or a tool that keeps times) left the old page live for good:
    the no-change check looked at size and mtime only. It looks at ctime too, and so does a resident process's
    memory of the files it read."""
    import time

    from tests.conftest import run_build

    root = make_site()
    assert run_build(root).ok
    source = root / "content/announcements/consular-hours.en.md"
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    assert "weekdays" in text
    time.sleep(0.01)
    source.write_text(text.replace("weekdays", "workdays"), encoding="utf-8")  # the same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size and source.stat().st_mtime_ns == before.st_mtime_ns
    report = run_build(root)
    assert report.ok and report.written > 0
    assert "workdays" in (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["content/a.en.md", "site.yml"])
def test_fingerprint_follows_size_and_mtime(tmp_path: Path, name: str) -> None:
    root = site(tmp_path)
    file = root / name
    first = fingerprint(root, [], SETTINGS)
    stat = file.stat()
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    moved = fingerprint(root, [], SETTINGS)
    assert moved != first
    file.write_text(file.read_text() + "more")  # size changes; mtime put back to the same instant
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert fingerprint(root, [], SETTINGS) not in (first, moved)


def test_fingerprint_sees_new_files_and_extra_folders_but_not_outputs(tmp_path: Path) -> None:
    root = site(tmp_path)
    first = fingerprint(root, [], SETTINGS)
    for output in ("public/index.html", "snippets/x.json", ".legation-cache/state-v1.json"):
        (root / output).parent.mkdir(exist_ok=True)
        (root / output).write_text("{}")
    assert fingerprint(root, [], SETTINGS) == first  # outputs are not inputs
    (root / "content" / "b.en.md").write_text("two")
    second = fingerprint(root, [], SETTINGS)
    assert second != first
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "base.html").write_text("<html>")
    assert fingerprint(root, [theme], SETTINGS) != second


def test_boundaries_collect_every_schedule_instant() -> None:
    found = boundaries([
        page(publish_at=T0 + timedelta(hours=1), expires_at=T0 + timedelta(days=3)),
        page(withdrawn=Withdrawal(T0 + timedelta(days=1), "old")),
        page(event=EventInfo(start=T0 + timedelta(days=5), end=T0 + timedelta(days=6))),
        page(event=EventInfo(start=T0 + timedelta(days=8), end=None)),  # no end: its start
        page(publish_at=T0 + timedelta(hours=1)),  # the same instant once
        page(),
    ])
    assert found == tuple(sorted((T0 + d).isoformat() for d in (timedelta(hours=1), timedelta(days=3), timedelta(days=1),
                                                                   timedelta(days=6), timedelta(days=8))))
    assert boundaries([]) == ()


def test_crossed_only_when_a_boundary_lies_in_the_window() -> None:
    state = BuildState("f", T0.isoformat(), ((T0 + timedelta(hours=30)).isoformat(),), {})
    assert not crossed(state, T0)
    assert not crossed(state, T0 + timedelta(hours=1))  # boundary beyond now + 24 h
    assert crossed(state, T0 + timedelta(hours=7))  # now + 24 h reaches it
    assert crossed(state, T0 + timedelta(days=10))  # jumped right over it
    assert not crossed(state, T0 - timedelta(hours=1), horizon=timedelta(hours=40))  # in both look-aheads
    assert crossed(state, T0 - timedelta(hours=1), horizon=timedelta(hours=30))  # only in the earlier one
    assert not crossed(state, T0 + timedelta(hours=7), horizon=timedelta(0))
    past = BuildState("f", T0.isoformat(), ((T0 - timedelta(hours=1)).isoformat(),), {})
    assert not crossed(past, T0 + timedelta(days=2))  # already behind the saved clock
    assert crossed(past, T0 - timedelta(hours=2))  # the clock went back across it
    assert not crossed(BuildState("f", T0.isoformat(), (), {}), T0 + timedelta(days=365))
    # an event this evening: in the look-ahead of the morning's build and of the next one, so nothing changed
    tonight = BuildState("f", T0.isoformat(), ((T0 + timedelta(hours=12)).isoformat(),), {})
    assert not crossed(tonight, T0 + timedelta(hours=1))
    assert crossed(tonight, T0 + timedelta(hours=13))  # it has begun: the clock crossed it


def test_state_round_trip_and_missing_or_corrupt_files(tmp_path: Path) -> None:
    assert load_state(tmp_path) is None
    state = BuildState("abc", T0.isoformat(), ("2027-01-01T00:00:00+00:00",), {"files": 3, "counts": {"en": 2}})
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
    assert [p.name for p in (tmp_path / CACHE_DIR).iterdir()] == [STATE_FILE]  # no temporary left
    file = tmp_path / CACHE_DIR / STATE_FILE
    for text in ("{not json", '{"fingerprint": 1}', "[]", '{"fingerprint": "a", "clock": "b", "boundaries": 5, "summary": {}}'):
        file.write_text(text)
        assert load_state(tmp_path) is None, text


def test_a_state_with_an_unreadable_clock_is_corrupt(tmp_path: Path) -> None:
    save_state(tmp_path, BuildState("abc", T0.isoformat(), (), {}))
    file = tmp_path / CACHE_DIR / STATE_FILE
    file.write_text(json.dumps({**json.loads(file.read_text()), "clock": "yesterday"}))
    state = load_state(tmp_path)
    assert state is None or crossed(state, T0) in (True, False)


def test_fingerprint_sees_a_file_it_cannot_stat(tmp_path: Path) -> None:
    """A link to nothing is an input too: adding one must not look like no change (the build reports it)."""
    root = site(tmp_path)
    first = fingerprint(root, [], SETTINGS)
    (root / "content" / "ghost.en.md").symlink_to(root / "content" / "gone.md")
    assert fingerprint(root, [], SETTINGS) != first


def test_the_ledger_and_root_files_are_inputs(tmp_path: Path) -> None:
    """A file of root/ is published and the ledger gives references: a change of either is a change of input;
    the ledger's part of the fingerprint is the one a build writes, stamped apart (written_stamp)."""
    from generator.engine.fastpath import written_stamp

    root = tmp_path
    first = fingerprint(root, [], SETTINGS)
    (root / "root").mkdir()
    (root / "root/google123.html").write_text("google-site-verification: google123.html")
    second = fingerprint(root, [], SETTINGS)
    assert second != first and second.split("|")[1] == first.split("|")[1]
    (root / "ledger/announcements").mkdir(parents=True)
    (root / "ledger/announcements/x.yml").write_text('reference: {id: "A", year: 2026, seq: 1}\n')
    third = fingerprint(root, [], SETTINGS)
    assert third.split("|")[0] == second.split("|")[0] and third.split("|")[1] == written_stamp(root) != \
        second.split("|")[1]


@pytest.mark.parametrize("change", ["edit", "append", "add", "add deep", "delete", "link", "rename folder",
                                    "replace folder", "empty folder"])
def test_the_output_stamp_sees_every_change_by_hand(tmp_path: Path, change: str) -> None:
    out = tmp_path / "public"
    for name, text in {"index.html": "home", "en/index.html": "en", "en/news/a/index.html": "a",
                       "en/news/b/index.html": "b", "feed.xml": "<rss/>"}.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    folders = (str(out),)
    listings = output_listing(folders)
    assert listings[0].split("\n") == ["en", "en/index.html", "en/news", "en/news/a", "en/news/a/index.html",
                                        "en/news/b", "en/news/b/index.html", "feed.xml", "index.html"]
    before = output_stamp(folders, listings)
    assert output_stamp(folders, listings) == before  # nothing changed, nothing seen
    a = out / "en/news/a/index.html"
    if change == "edit":  # same size, a later time
        stat = a.stat()
        a.write_text("A")
        os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    elif change == "append":
        with a.open("a") as handle:
            handle.write("<script>")
    elif change == "add":
        (out / "evil.html").write_text("x")
    elif change == "add deep":
        (out / "en/news/a/evil.js").write_text("x")
    elif change == "delete":
        (out / "en/news/b/index.html").unlink()
    elif change == "link":
        a.unlink()
        a.symlink_to("/etc/passwd")
    elif change == "rename folder":
        (out / "en/news/b").rename(out / "en/news/c")
    elif change == "replace folder":  # a folder swapped for a copy with the same names
        (out / "en/news/b").rename(tmp_path / "old-b")
        (out / "en/news/b").mkdir()
        (out / "en/news/b/index.html").write_text("b")
    elif change == "empty folder":
        (out / "en/news/d").mkdir()
    assert output_stamp(folders, listings) != before


@pytest.mark.parametrize("outside", [["/"], ["relative/content"], ["/etc"], ["/tmp"]])
def test_a_state_naming_inputs_no_build_reads_is_not_trusted(tmp_path: Path, outside: list[str]) -> None:
    """A forged build state (its outside inputs a folder no build reads, such as the file system's root) is not
    taken: the next build is a full one, rather than one that stats every file of the machine."""
    import json

    from generator.engine.fastpath import STATE_FILE, load_state

    folder = tmp_path / ".legation-cache"
    folder.mkdir()
    state = {"fingerprint": "x", "clock": "2026-11-23T12:00:00+00:00", "boundaries": [], "summary": {},
             "outside": outside}
    (folder / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    assert load_state(tmp_path) is None
    state["outside"] = [str(tmp_path / "ministry" / "content")]
    (folder / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    assert load_state(tmp_path) is not None


def test_a_fingerprint_retaken_from_the_files_named_equals_one_of_every_file(tmp_path: Path) -> None:
    """fastpath.retake: the last walk and stat lines, with the named files looked at again, give the fingerprint a
    look at every file gives; a file made, removed or turned into a folder since cannot be told so (None)."""
    from generator.engine.fastpath import (
        Walk,
        build_settings,
        fingerprint_folders,
        input_extras,
        inputs_fingerprint,
        retake,
    )

    root = tmp_path / "site"
    (root / "content" / "announcements").mkdir(parents=True)
    (root / "site.yml").write_text("title: T\n", encoding="utf-8")
    items = [root / "content" / "announcements" / f"item-{n}.en.md" for n in range(5)]
    for item in items:
        item.write_text("one", encoding="utf-8")
    settings = build_settings(root / "public", False, False, None)
    folders = fingerprint_folders(root, input_extras(()))

    def taken() -> tuple[str, dict[str, str], Walk]:
        seen: dict[str, str] = {}
        walk = Walk()
        return inputs_fingerprint(root, root / "public", False, False, (), seen, None, walk), seen, walk

    before, seen, walk = taken()
    items[2].write_text("two, longer", encoding="utf-8")
    again = retake(walk, dict(seen), settings, folders, [str(items[2])])
    assert again == taken()[0] and again != before
    assert retake(walk, dict(seen), settings, folders, []) == before  # nothing named: the last one
    _, seen, walk = taken()
    new = root / "content" / "announcements" / "item-9.en.md"
    new.write_text("new", encoding="utf-8")
    assert retake(walk, dict(seen), settings, folders, [str(new)]) is None
    new.unlink()
    items[0].unlink()
    assert retake(walk, dict(seen), settings, folders, [str(items[0])]) is None
    assert retake(walk, dict(seen), build_settings(root / "out", False, False, None), folders, []) is None
