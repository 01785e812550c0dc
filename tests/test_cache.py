"""The Markdown cache (generator/cache.py): JSON only, round trip, corrupt files discarded as a whole."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.core.cache import (
    CACHE_DIR,
    OBSOLETE,
    SHARDS,
    cache_key,
    cache_key_file,
    load_markdown_cache,
    load_render_state,
    read_signed,
    render_file,
    save_json_cache,
    save_markdown_cache,
    save_render_state,
    shard_file,
    sign,
)
from generator.core.model import Heading, Page
from tests.conftest import run_build

ENTRIES = {"k1": ("<h2 id=\"a\">A</h2>", (Heading(2, "a", "A"), Heading(3, "b", "ب"))), "k2": ("<p>ب</p>", ())}


SHARD0 = f"{CACHE_DIR}/{shard_file('0')}"


def cache_file(root: Path, text: str | bytes, digit: str = "0") -> Path:
    file = root / CACHE_DIR / shard_file(digit)
    file.parent.mkdir(exist_ok=True)
    file.write_bytes(sign(text if isinstance(text, bytes) else text.encode("utf-8")))  # valid signature, bad content
    return file


def test_round_trip_as_json_with_a_gitignore(tmp_path: Path) -> None:
    save_markdown_cache(tmp_path, ENTRIES)
    assert load_markdown_cache(tmp_path) == (ENTRIES, "")
    folder = tmp_path / CACHE_DIR
    assert (folder / ".gitignore").read_text() == "*\n"
    raw = json.loads(read_signed(folder / shard_file("0")))  # JSON, never pickle
    assert raw["k1"] == ["<h2 id=\"a\">A</h2>", [[2, "a", "A"], [3, "b", "ب"]]]
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", shard_file("0")]  # no temporary left


def test_saving_replaces_the_whole_cache(tmp_path: Path) -> None:
    save_markdown_cache(tmp_path, ENTRIES)
    save_markdown_cache(tmp_path, {"k3": ("<p>new</p>", ())})
    assert load_markdown_cache(tmp_path) == ({"k3": ("<p>new</p>", ())}, "")
    save_markdown_cache(tmp_path, {})
    assert load_markdown_cache(tmp_path) == ({}, "")


def test_missing_cache_is_normal(tmp_path: Path) -> None:
    assert load_markdown_cache(tmp_path) == ({}, "")
    (tmp_path / CACHE_DIR).mkdir()
    assert load_markdown_cache(tmp_path) == ({}, "")


@pytest.mark.parametrize("text", [
    "{not json", "", '["a list"]', "42", '{"k": 42}', '{"k": ["<p>x</p>"]}', '{"k": ["<p>x</p>", [[2, "a"]]]}',
    '{"k": ["<p>x</p>", [["two", "a", "A"]]]}', '{"k": ["<p>x</p>", 7]}', b"\xff\xfe\x00",
])
def test_corrupt_or_foreign_cache_is_discarded(tmp_path: Path, text: str | bytes) -> None:
    cache_file(tmp_path, text)
    assert load_markdown_cache(tmp_path) == ({}, SHARD0)


def test_one_bad_entry_discards_every_entry(tmp_path: Path) -> None:
    save_markdown_cache(tmp_path, ENTRIES)
    file = tmp_path / CACHE_DIR / shard_file("0")
    raw = json.loads(read_signed(file))
    file.write_bytes(sign(json.dumps({**raw, "zz": ["<p>x</p>", [[1]]]}).encode()))
    assert load_markdown_cache(tmp_path) == ({}, SHARD0)


def test_wrongly_typed_values_are_discarded(tmp_path: Path) -> None:
    cache_file(tmp_path, '{"k": [null, []]}')
    assert load_markdown_cache(tmp_path) == ({}, SHARD0)


def test_an_unwritable_cache_never_fails(tmp_path: Path) -> None:
    (tmp_path / CACHE_DIR).write_text("a file where the folder should be")
    save_markdown_cache(tmp_path, {"k": ("<p>x</p>", ())})  # no exception
    assert not save_render_state(tmp_path, "public", {"a": ("b", ["a/index.html"])}, "m")  # no exception: False
    assert load_markdown_cache(tmp_path) == ({}, CACHE_DIR)  # unusable, named as it is: the build warns and rebuilds
    assert load_render_state(tmp_path, "public", "m") == {}


def test_render_state_round_trip(tmp_path: Path) -> None:
    assert load_render_state(tmp_path, "/srv/public", "m1") == {}
    units = {"item:/en/b/": ("2", ["en/b/index.html"]), "feed:/en/": ("1", ["en/feed.xml", "en/atom.xml"])}
    assert save_render_state(tmp_path, "/srv/public", units, "m1")
    preview = {"item:/en/b/": ("3", ["en/b/index.html"])}
    save_render_state(tmp_path, "/srv/.preview", preview, "m2")  # another folder's state is kept beside it
    assert load_render_state(tmp_path, "/srv/public", "m1") == units
    assert load_render_state(tmp_path, "/srv/.preview", "m2") == preview
    assert load_render_state(tmp_path, "/srv/other", "m1") == {}
    # made for another manifest than the one live now (a build killed after its swap): not used
    assert load_render_state(tmp_path, "/srv/public", "m2") == {}
    assert load_render_state(tmp_path, "/srv/public", "") == {}


@pytest.mark.parametrize("text", ['{"out_dir": "p", "units": {"k": [1, []]}}', '{"out_dir": "p", "units": {"k": ["d", [2]]}}',
                                  '{"out_dir": "p", "units": {"k": ["d"]}}', '{"out_dir": "p", "digests": {}}', "[]"])
def test_a_malformed_render_state_is_empty(tmp_path: Path, text: str) -> None:
    (tmp_path / CACHE_DIR).mkdir()
    (tmp_path / CACHE_DIR / render_file("p")).write_bytes(sign(text.encode()))
    assert load_render_state(tmp_path, "p", "m") == {}


@pytest.mark.parametrize("count", [0, 1, 511, 512, 513, 1500])
def test_cache_files_are_written_as_json_dumps_would_write_them(tmp_path: Path, count: int) -> None:
    """The writer streams batches of members; the file must still be exactly json.dumps's text."""
    entries = {f"k{i:04}": [i, "ü\n\"\u2066", {"nested": [1, {}]}, None, 1.5, True] for i in range(count)}
    shapes: list[tuple[object, object]] = [
        (entries, entries),
        ({"code": "c", "entries": entries, "empty": {}}, {"code": "c", "entries": entries, "empty": {}}),
        ({"code": "c", "entries": iter(entries.items())}, {"code": "c", "entries": entries}),  # an iterator is an object
    ]
    for data, expected in shapes:
        save_json_cache(tmp_path, "x.json", data)
        assert read_signed(tmp_path / CACHE_DIR / "x.json") == json.dumps(expected, ensure_ascii=False)


def test_a_value_the_cache_cannot_hold_keeps_the_previous_file(tmp_path: Path) -> None:
    save_json_cache(tmp_path, "x.json", {"a": 1})
    save_json_cache(tmp_path, "x.json", {"a": 1, "b": object()})
    save_json_cache(tmp_path, "x.json", iter([("a", 1), (2, 2)]))  # a key that is not a string
    assert read_signed(tmp_path / CACHE_DIR / "x.json") == '{"a": 1}'
    assert sorted(p.name for p in (tmp_path / CACHE_DIR).iterdir()) == [".gitignore", "x.json"]  # no temporary left


def test_an_edit_rewrites_only_the_files_its_keys_fall_in(tmp_path: Path) -> None:
    """Sixteen files by the key's first hex digit; unchanged ones are not written again (mtime kept)."""
    entries = {f"{digit}{i:031x}": (f"<p>{digit}{i}</p>", ()) for digit in SHARDS for i in range(3)}
    save_markdown_cache(tmp_path, entries)
    folder = tmp_path / CACHE_DIR
    assert sorted(p.name for p in folder.glob("markdown-*")) == sorted(shard_file(d) for d in SHARDS)
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("markdown-*")}
    time.sleep(0.01)
    changed = dict(entries)
    del changed["a" + "0" * 31]  # an edit: one body gone, another added, in two files
    changed["c" + "f" * 31] = ("<p>new</p>", ())
    save_markdown_cache(tmp_path, changed, entries.keys())
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("markdown-*")}
    assert sorted(name for name in after if after[name] != before[name]) == [shard_file("a"), shard_file("c")]
    assert load_markdown_cache(tmp_path) == (changed, "")
    # a file whose keys are all gone is removed
    save_markdown_cache(tmp_path, {k: v for k, v in changed.items() if not k.startswith("f")}, changed.keys())
    assert not (folder / shard_file("f")).exists()
    assert load_markdown_cache(tmp_path)[0] == {k: v for k, v in changed.items() if not k.startswith("f")}


def test_one_unreadable_file_discards_the_whole_cache(tmp_path: Path) -> None:
    entries = {f"{digit}{i:031x}": (f"<p>{i}</p>", ()) for digit in "05a" for i in range(2)}
    save_markdown_cache(tmp_path, entries)
    cache_file(tmp_path, "{broken", "5")
    assert load_markdown_cache(tmp_path) == ({}, f"{CACHE_DIR}/{shard_file('5')}")  # the file the warning names


def test_an_incremental_build_removes_the_cache_files_of_earlier_versions(make_site: Callable[..., Path]) -> None:
    root = make_site()
    folder = root / CACHE_DIR
    folder.mkdir()
    for name in OBSOLETE:
        (folder / name).write_text("{}", encoding="utf-8")
    assert run_build(root).ok
    assert not [name for name in OBSOLETE if (folder / name).exists()]
    assert list(folder.glob("markdown-v2-*.json"))


def poisoned(root: Path, inject: Callable[[str], str]) -> None:
    """Rewrite every Markdown cache file as someone without the key would: plain JSON, bodies changed."""
    for file in (root / CACHE_DIR).glob("markdown-v2-*.json"):
        entries = json.loads(read_signed(file))
        file.write_text(json.dumps({key: [inject(html), heads] for key, (html, heads) in entries.items()}),
                        encoding="utf-8")


def test_a_poisoned_markdown_cache_never_reaches_the_site(make_site: Callable[..., Path]) -> None:
    """Cached HTML goes into pages and feeds unsanitized: a cache file we did not sign is discarded."""
    root = make_site()
    assert run_build(root).ok
    poisoned(root, lambda html: html + "<script>steal()</script>")
    source = root / "content/events/reception.en.md"  # not official text the ledger guards (test_ledger.py)
    source.write_text(source.read_text(encoding="utf-8") + "\nAn edit, so that the build runs.\n", encoding="utf-8")
    report = run_build(root)
    assert report.ok
    assert [w.code for w in report.warnings] == ["cache"]  # discarded, and said so
    assert not [p for p in (root / "public").rglob("*") if p.is_file() and b"steal()" in p.read_bytes()]


def test_a_cache_signed_with_another_key_is_discarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_markdown_cache(tmp_path, ENTRIES)
    assert load_markdown_cache(tmp_path) == (ENTRIES, "")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-user"))
    assert load_markdown_cache(tmp_path) == ({}, SHARD0)
    assert cache_key_file().is_relative_to(tmp_path / "another-user")
    assert not cache_key_file().is_relative_to(tmp_path / CACHE_DIR)


def test_the_key_is_readable_by_its_user_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = cache_key()
    assert key is not None and len(key) == 64
    assert cache_key() == key
    assert cache_key_file().stat().st_mode & 0o077 == 0


def test_without_a_key_nothing_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    assert cache_key() is None
    save_markdown_cache(tmp_path, ENTRIES)
    assert load_markdown_cache(tmp_path) == ({}, "")


def test_a_cached_page_naming_a_file_outside_its_bundle_is_refused(make_site: Callable[..., Path]) -> None:
    from generator.sources.media import plan_media

    root = make_site({"content/announcements/forms/index.en.md": '---\ntitle: "F"\ndate: 2026-11-01\n---\nx\n',
                      "content/announcements/forms/form.pdf": b"%PDF"})
    assert run_build(root).ok
    page = next(p for p in load_pages_for(root) if p.source.endswith("forms/index.en.md"))
    for path in ("content/announcements/forms/../../../../proc/self/environ", "content/announcements/other/x.pdf",
                 "site.yml"):
        hostile = dataclasses.replace(page, bundle_assets=(path,))
        files, outputs, problems = plan_media(root, [hostile], None)
        assert not files and not outputs, path
        assert problems[0].severity == "error" and problems[0].location.path == "content/announcements/forms/index.en.md"
        assert "is not a file of this bundle" in problems[0].message


def load_pages_for(root: Path) -> tuple[Page, ...]:
    from generator.engine.build import load_pages

    return load_pages(root).pages
