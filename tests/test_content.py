"""Content files (generator/content.py): discovery, front matter per section, inheritance, YAML pitfalls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import discover, parse_all, slugify, source_hash, split_front_matter
from generator.errors import ContentError
from generator.model import SourceFile


def parse(make_site: Callable[..., Path], files: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    root = make_site(files)
    config = load_config(root)
    sources, found = discover(root, config)
    pages, problems = parse_all(sources, config)
    return {(p.section, p.slug, p.lang): p for p in pages}, [*found, *problems]


def test_slugify() -> None:
    assert slugify("Visa Fees 2027!") == "visa-fees-2027"
    assert slugify("Çay və şəkər") == "cay-va-sakar"
    assert slugify("Oʻzbekiston gʻalabasi") == "ozbekiston-galabasi"
    assert slugify("مرحبا") == "item"


def test_discovery_of_files_and_bundles(make_site: Callable[..., Path]) -> None:
    pages, problems = parse(make_site, {
        "content/announcements/photo-news/index.en.md": '---\ntitle: "Photo"\ndate: 2026-11-01\n'
                                                        'image: {src: "p.png", alt: "A photo"}\n---\nx\n',
        "content/announcements/photo-news/p.png": b"\x89PNG",
    })
    assert not [p for p in problems if p.severity == "error"]
    photo = pages[("announcements", "photo-news", "en")]
    assert photo.bundle_assets == ("content/announcements/photo-news/p.png",)
    assert photo.image is not None and photo.image.alt == "A photo"


def test_translations_inherit_untranslatable_keys(make_site: Callable[..., Path]) -> None:
    pages, _ = parse(make_site, {})
    english, arabic = pages[("announcements", "consular-hours", "en")], pages[("announcements", "consular-hours", "ar")]
    assert arabic.date == english.date and arabic.tags == english.tags and arabic.kind == english.kind
    assert arabic.title == "ساعات العمل القنصلية" and arabic.summary != english.summary


@pytest.mark.parametrize(("text", "line", "needle"), [
    ('---\ntitle: no\ndate: 2026-11-01\n---\nx\n', 2, 'write title: "no" in quotes'),
    ('---\ntitle: "A"\n---\nx\n', 2, 'missing required key "date"'),
    ('---\ntitle: "A"\ndate: 2026-13-01\n---\nx\n', 3, "date"),
    ('---\ntitle: "A"\ndate: 2026-11-01\nimage: {src: "/static/a.png"}\n---\nx\n', 4, 'missing required key "alt"'),
    ('---\ntitle: "A"\ndate: 2026-11-01\nkind: rumour\n---\nx\n', 4, "kind"),
])
def test_front_matter_errors_are_located(make_site: Callable[..., Path], text: str, line: int, needle: str) -> None:
    _, problems = parse(make_site, {"content/announcements/bad.en.md": text})
    found = [p for p in problems if p.location.path == "content/announcements/bad.en.md"]
    assert found and found[0].location.line == line, found
    assert any(needle in f"{p.message} {p.hint}" for p in found), found


def test_event_end_before_start(make_site: Callable[..., Path]) -> None:
    _, problems = parse(make_site, {"content/events/x.en.md": '---\ntitle: "E"\ndate: 2026-11-01\n'
                                    "start: 2026-12-01T18:00:00+04:00\nend: 2026-12-01T17:00:00+04:00\n---\nx\n"})
    assert any(p.location.line == 5 and "end" in p.message for p in problems)


def test_bad_files_are_reported_not_crashing(make_site: Callable[..., Path]) -> None:
    _, problems = parse(make_site, {
        "content/announcements/latin1.en.md": b'---\ntitle: "caf\xe9"\ndate: 2026-11-01\n---\nx\n',
        "content/announcements/empty.en.md": "",
        "content/announcements/x.klingon.md": '---\ntitle: "x"\n---\n',
    })
    text = "\n".join(p.format() for p in problems)
    assert "latin1.en.md:2" in text and "UTF-8" in text
    assert "empty.en.md:1:1: error: file is empty" in text
    assert "klingon" in text


def test_split_front_matter_and_hash() -> None:
    source = SourceFile("content/pages/a.en.md", "pages", "a", "en", '---\ntitle: "A"\n---\nBody\n')
    fm = split_front_matter(source)
    assert fm.doc.data == {"title": "A"} and fm.body == "Body\n"
    assert source_hash("A", "", "Body\n") == source_hash(" A ", "", "Body")  # whitespace does not count
    assert source_hash("A", "", "Body") != source_hash("A", "", "Body!")
    with pytest.raises(ContentError, match="not closed"):
        split_front_matter(SourceFile("content/pages/b.en.md", "pages", "b", "en", '---\ntitle: "A"\n'))
