"""The Markdown cache (generator/cache.py): JSON only, round trip, corrupt files discarded as a whole."""

from __future__ import annotations

from pathlib import Path

from generator.cache import CACHE_DIR, CACHE_FILE, load_markdown_cache, save_markdown_cache
from generator.model import Heading


def test_round_trip_and_gitignore(tmp_path: Path) -> None:
    entries = {"k1": ("<h2 id=\"a\">A</h2>", (Heading(2, "a", "A"),)), "k2": ("<p>ب</p>", ())}
    save_markdown_cache(tmp_path, entries)
    assert load_markdown_cache(tmp_path) == (entries, False)
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text() == "*\n"
    assert (tmp_path / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8").startswith("{")  # JSON, never pickle


def test_missing_cache_is_normal(tmp_path: Path) -> None:
    assert load_markdown_cache(tmp_path) == ({}, False)


def test_corrupt_or_foreign_cache_is_discarded(tmp_path: Path) -> None:
    file = tmp_path / CACHE_DIR / CACHE_FILE
    file.parent.mkdir()
    for text in ("{not json", '["a list"]', '{"k": 42}', '{"k": ["<p>x</p>", [[2, "a"]]]}'):
        file.write_text(text, encoding="utf-8")
        assert load_markdown_cache(tmp_path) == ({}, True), text
    file.write_bytes(b"\xff\xfe\x00")
    assert load_markdown_cache(tmp_path) == ({}, True)


def test_an_unwritable_cache_never_fails(tmp_path: Path) -> None:
    (tmp_path / CACHE_DIR).write_text("a file where the folder should be")
    save_markdown_cache(tmp_path, {"k": ("<p>x</p>", ())})  # no exception
    assert load_markdown_cache(tmp_path) == ({}, True)  # unusable: the build warns and rebuilds
