"""The stage data (generator/model.py): URLs per DESIGN §5, keys, frozen and picklable."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from generator.core.model import EventInfo, Language, Page, SiteConfig


def page(section: str, slug: str = "visa-news", lang: str = "ar", **extra: object) -> Page:
    return Page(source=f"content/{section}/{slug}.{lang}.md", section=section, slug=slug, lang=lang, title="T",
                body_html="<p>x</p>", source_hash="abc", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(("section", "url"), [
    ("announcements", "/ar/announcements/visa-news/"),
    ("events", "/ar/events/visa-news/"),
    ("investment", "/ar/investment/visa-news/"),
    ("pages", "/ar/visa-news/"),
])
def test_urls_follow_the_design(section: str, url: str) -> None:
    assert page(section).url == url


def test_translations_share_a_key() -> None:
    assert page("events", lang="en").key == page("events", lang="az").key == ("events", "visa-news")


def test_sort_date_prefers_the_date() -> None:
    date, updated = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    assert page("announcements", date=date, updated=updated).sort_date == date
    assert page("pages", updated=updated).sort_date == updated
    assert page("pages").sort_date is None


def test_pages_are_frozen_and_pickle() -> None:
    event = EventInfo(start=datetime(2026, 12, 12, 18, tzinfo=UTC), end=None, status="cancelled")
    original = page("events", event=event, tags=("culture",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.title = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(original)) == original


def test_site_config_language_lookup() -> None:
    config = SiteConfig(title={"en": "Embassy"}, base_url="https://e.example/", default_language="en",
                        languages=(Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar")),
                        timezone="Asia/Baku")
    assert config.language_codes == ("en", "ar")
    assert config.language("ar").direction == "rtl"
    assert config.site_title("ar") == "Embassy"  # falls back to the default language
    with pytest.raises(KeyError):
        config.language("fr")


def test_fingerprint_is_the_cache_key_when_known_else_a_digest_of_every_field() -> None:
    plain = page("announcements")
    assert plain.fingerprint == page("announcements").fingerprint
    # every field counts when the page has no cache key: a body, a summary or a heading alone changes it
    for change in ({"body_html": "<p>y</p>"}, {"summary": "s"}, {"words": 3}, {"tags": ("visa",)}):
        assert dataclasses.replace(plain, **change).fingerprint != plain.fingerprint, change  # type: ignore[arg-type]
    keyed = dataclasses.replace(plain, digest="0f" * 16)
    assert keyed.fingerprint == "0f" * 16


def test_parsed_pages_carry_their_cache_key(tmp_path: object) -> None:
    """parse_cached names each page by its page-cache key (file, default-language file, config, code)."""
    from pathlib import Path

    from generator.sources.config import load_config
    from generator.sources.content import discover, parse_cached, with_digests

    root = Path(str(tmp_path))
    (root / "content/announcements").mkdir(parents=True)
    (root / "site.yml").write_text("title: T\nbase_url: https://example.org/\nlanguages: [en, ar]\n", encoding="utf-8")
    (root / "content/announcements/a.en.md").write_text('---\ntitle: "A"\ndate: 2026-10-01\n---\nText.\n', encoding="utf-8")
    (root / "content/announcements/a.ar.md").write_text('---\ntitle: "أ"\n---\nنص.\n', encoding="utf-8")
    config = load_config(root)
    sources, problems = discover(root, config)
    assert problems == []
    first = parse_cached(sources, config, 1, {}, {}, "code")
    by_lang = {p.lang: p for p in first.pages}
    for parsed in first.pages:
        # worked out from the page itself: its metadata, word count, source hash and body's Markdown key
        expected = with_digests(dataclasses.replace(parsed, digest="", meta=""), first.entries[
            next(k for k, e in first.entries.items() if e[1].lang == parsed.lang)][0])
        assert (parsed.digest, parsed.meta) == (expected.digest, expected.meta) and len(parsed.digest) == 32
    assert by_lang["ar"].fingerprint != by_lang["en"].fingerprint
    # the same pages read back from the caches carry the same digests, kept in the cached records
    again = parse_cached(sources, config, 1, first.rendered, first.entries, "code")
    assert [(p.digest, p.meta) for p in again.pages] == [(p.digest, p.meta) for p in first.pages]
    assert again.pages == first.pages
    assert all(entry[1].digest for entry in first.entries.values())
    # without a code digest (a build with no caches) pages have none and are digested whole
    assert all(p.digest == p.meta == "" for p in parse_cached(sources, config, 1, {}).pages)


def test_digests_follow_content_and_meta_ignores_the_body() -> None:
    from generator.sources.content import with_digests

    plain = with_digests(page("announcements"), "md1")
    assert plain.fingerprint == plain.digest
    body = with_digests(dataclasses.replace(plain, body_html="<p>y</p>", words=9, source_hash="abc"), "md2")
    assert body.meta == plain.meta and body.digest != plain.digest  # lists keep, the page itself changes
    assert with_digests(page("announcements"), "md2").digest != plain.digest  # the body's key alone changes it
    for change in ({"summary": "s"}, {"tags": ("visa",)}, {"title": "Other"}):
        other = with_digests(dataclasses.replace(plain, **change), "md1")  # type: ignore[arg-type]
        assert other.meta != plain.meta and other.digest != plain.digest, change
    for change in ({"words": 3}, {"source_hash": "x"}):
        other = with_digests(dataclasses.replace(plain, **change), "md1")  # type: ignore[arg-type]
        assert other.meta == plain.meta and other.digest != plain.digest, change
