"""generator/codec.py and the parsed-page cache: exact round trips, hostile records refused, reuse across builds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import generator.sources.content as content
from generator.core.cache import CACHE_DIR, PAGES_FILE, PageCache, load_page_cache, read_signed, save_page_cache, sign
from generator.core.codec import decode, encode
from generator.core.errors import Problem, SourceLocation
from generator.core.model import EventInfo, Heading, Page, Venue
from generator.sources.config import load_config
from tests.conftest import run_build, tree

ROOT = Path(__file__).resolve().parent.parent


def demo_pages() -> list[Page]:
    config = load_config(ROOT)
    sources, _ = content.discover(ROOT, config)
    pages, _ = content.parse_all(sources, config)
    return pages


def test_every_demo_page_survives_a_json_round_trip_exactly() -> None:
    pages = demo_pages()
    assert len(pages) > 20
    for page in pages:
        back = decode(Page, json.loads(json.dumps(encode(page))))
        assert back == page
        assert repr(back) == repr(page)  # same zone objects, so digests built from repr agree too


def test_times_keep_their_zone_kind_and_fold() -> None:
    baku = ZoneInfo("Asia/Baku")
    berlin = ZoneInfo("Europe/Berlin")
    times = [
        datetime(2026, 1, 8, 8, 20, tzinfo=baku),
        datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1),  # the second 02:30 of the autumn change
        datetime(2026, 1, 8, 8, 20, tzinfo=timezone(timedelta(hours=4))),
        datetime(2026, 1, 8, 8, 20, 5, 123456, tzinfo=UTC),
        datetime(2026, 1, 8, 8, 20),
    ]
    for value in times:
        back = decode(EventInfo, json.loads(json.dumps(encode(EventInfo(value, None))))).start
        assert back == value and back.fold == value.fold and back.utcoffset() == value.utcoffset()
        assert type(back.tzinfo) is type(value.tzinfo)
    assert decode(EventInfo, encode(EventInfo(times[1], None))).start.utcoffset() == timedelta(hours=1)


class Foreign(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1)


def test_values_a_cache_cannot_hold_are_refused_when_writing() -> None:
    with pytest.raises(TypeError):
        encode(EventInfo(datetime(2026, 1, 1), None, venue=object()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        encode(EventInfo(datetime(2026, 1, 1, tzinfo=Foreign()), None))


GOOD = encode(Problem("warning", SourceLocation("content/a.en.md", 3, 1), "m", "h", "c"))


@pytest.mark.parametrize("record", [
    None, 7, "x", [], {"severity": "warning"},
    ["fatal", ["content/a.en.md", 3, 1], "m", "h", "c"],        # not a severity
    ["warning", ["content/a.en.md", "3", 1], "m", "h", "c"],    # line as text
    ["warning", ["content/a.en.md", True, 1], "m", "h", "c"],   # bool is not an int here
    ["warning", ["content/a.en.md", 3], "m", "h", "c"],         # short location
    ["warning", ["content/a.en.md", 3, 1], "m", "h"],            # short record
    ["warning", ["content/a.en.md", 3, 1], "m", "h", "c", "x"],  # long record
    ["warning", None, "m", "h", "c"],
])
def test_malformed_records_raise_value_error(record: object) -> None:
    assert decode(Problem, GOOD) == Problem("warning", SourceLocation("content/a.en.md", 3, 1), "m", "h", "c")
    with pytest.raises(ValueError):
        decode(Problem, record)


@pytest.mark.parametrize("value", ["not a time", ["Mars/Olympus", "2026-01-01T00:00:00", 0],
                                   ["Asia/Baku", "2026-01-01T00:00:00+04:00", 0], ["Asia/Baku", "2026-01-01", 2], 5])
def test_malformed_times_raise_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        decode(EventInfo, [value, None, False, None, "", "", "scheduled", ""])


def test_nested_records_and_numbers_are_checked() -> None:
    venue = Venue("Hall", lat=40.4, lon=49)
    assert decode(Venue, encode(venue)) == venue
    with pytest.raises(ValueError):
        decode(Venue, ["Hall", "", "", "", "40.4", None])
    with pytest.raises(ValueError):
        decode(Heading, [2.0, "a", "A"])


def page_file(root: Path) -> Path:
    return root / CACHE_DIR / PAGES_FILE


def test_the_page_cache_round_trips_and_ignores_other_code(tmp_path: Path) -> None:
    page = demo_pages()[0]
    entries = {"k": ("md", page, (Problem("warning", SourceLocation("a", 1, 1), "m"),))}
    save_page_cache(tmp_path, "code-1", entries, PageCache())
    loaded, discarded = load_page_cache(tmp_path, "code-1")
    assert loaded.entries == entries and not discarded
    assert load_page_cache(tmp_path, "code-2") == (PageCache(), False)
    # written back from the records it was read from, plus the new entry encoded
    save_page_cache(tmp_path, "code-1", {**entries, "k2": ("md2", page, ())}, loaded)
    again, _ = load_page_cache(tmp_path, "code-1")
    assert again.entries == {**entries, "k2": ("md2", page, ())}  # another version of legation: silently not reused


@pytest.mark.parametrize("text", ["{", "[]", '{"code": "c"}', '{"code": "c", "entries": {"k": ["md", [], []]}}',
                                  '{"code": "c", "entries": {"k": 5}}', '{"code": "c", "entries": {"k": [1, [], []]}}'])
def test_a_malformed_page_cache_is_discarded(tmp_path: Path, text: str) -> None:
    page_file(tmp_path).parent.mkdir()
    page_file(tmp_path).write_bytes(sign(text.encode()))  # signed: its shape is what is tested
    assert load_page_cache(tmp_path, "c") == (PageCache(), True)


def count_splits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = content.split_source

    def spy(source: object) -> object:
        seen.append(source.path)  # type: ignore[attr-defined]
        return original(source)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "split_source", spy)
    return seen


def parsed_after_edit(root: Path, monkeypatch: pytest.MonkeyPatch, rel: str, old: str, new: str) -> list[str]:
    """Build, replace ``old`` by ``new`` in ``rel``, build again: the files the second build parsed."""
    assert run_build(root, jobs=1).ok
    seen = count_splits(monkeypatch)
    file = root / rel
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert run_build(root, jobs=1).ok
    return seen


def assert_equals_clean(root: Path, tmp_path: Path) -> None:
    clean = run_build(root, out=tmp_path / "clean", incremental=False)
    assert clean.ok and tree(root / "public") == tree(tmp_path / "clean")


def test_unchanged_files_are_not_parsed_again(make_site: Callable[..., Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site()
    seen = parsed_after_edit(root, monkeypatch, "content/announcements/consular-hours.en.md", "weekdays", "weekdays only")
    # the edited file and its Arabic translation (which inherits from it) are parsed; nothing else is
    assert sorted(seen) == ["content/announcements/consular-hours.ar.md", "content/announcements/consular-hours.en.md"]
    assert_equals_clean(root, tmp_path)


def test_a_config_change_parses_everything_again(make_site: Callable[..., Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site()
    assert len(parsed_after_edit(root, monkeypatch, "site.yml", "Asia/Baku", "Europe/Berlin")) == 4
    assert_equals_clean(root, tmp_path)


def test_a_tampered_page_cache_is_discarded_with_a_warning(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    raw = json.loads(read_signed(page_file(root)))
    key = sorted(raw["entries"])[0]
    raw["entries"][key][1][4] = ["<script>alert(1)</script>"]  # a title that is not a string
    page_file(root).write_bytes(sign(json.dumps(raw).encode()))
    english = root / "content/events/reception.en.md"  # not official text the ledger guards (test_ledger.py)
    english.write_text(english.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    report = run_build(root)
    assert report.ok and [w.code for w in report.warnings] == ["cache"]
    assert PAGES_FILE in str(report.warnings[0].location)
    assert_equals_clean(root, tmp_path)


def test_another_library_version_invalidates_every_cache(make_site: Callable[..., Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade of legation or of a library it renders with must not reuse what the old one made."""
    import generator.core.cache as cache_module
    import generator.outputs.snippets as snippets_module
    from tests.test_incremental import _fresh_units

    root = make_site()
    assert run_build(root, jobs=1).ok
    (root / CACHE_DIR / "state-v1.json").unlink()  # skip the no-change shortcut, which has its own fingerprint
    seen = count_splits(monkeypatch)
    fresh = _fresh_units(monkeypatch)
    upgraded = cache_module.library_versions() + "|markdown-it-py=99"
    monkeypatch.setattr(cache_module, "library_versions", lambda: upgraded)
    monkeypatch.setattr(snippets_module, "library_versions", lambda: upgraded)
    assert run_build(root, jobs=1).ok
    assert len(seen) == 4  # every page parsed again
    assert any(unit.startswith("item:") for unit in fresh)  # item pages rendered again
