"""The stage data (generator/model.py): URLs per DESIGN §5, keys, frozen and picklable."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from generator.model import EventInfo, Language, Page, SiteConfig


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
