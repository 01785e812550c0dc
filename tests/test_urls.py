"""generator/outputs/urls.py: the URL groups a page's head and the sitemap share, and what listing pages select."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from generator.assembly.site import assemble
from generator.core.model import EventInfo, RumourInfo
from generator.outputs.seo import Alternate
from generator.outputs.urls import SiteUrls, channels_url, rumours_url
from tests.conftest import NOW
from tests.test_templates_unit import CONFIG
from tests.test_unit_inputs import page

BASE = "https://embassy.example.org"


def urls_of(pages: list, paginate: int = 10) -> SiteUrls:  # type: ignore[type-arg]
    site, _ = assemble(pages, replace(CONFIG, paginate=paginate), NOW)
    return SiteUrls(site)


def test_a_translated_item_names_each_language_and_the_default_as_x_default() -> None:
    urls = urls_of([page("visa", "en"), page("visa", "ar"), page("other", "az")])
    item = next(p for p in urls.site.pages if p.url == "/en/announcements/visa/")
    assert urls.item_urls(item) == {"en": "/en/announcements/visa/", "ar": "/ar/announcements/visa/"}
    assert urls.language_alternates(urls.item_urls(item)) == [
        Alternate("en", f"{BASE}/en/announcements/visa/"), Alternate("ar", f"{BASE}/ar/announcements/visa/"),
        Alternate("x-default", f"{BASE}/en/announcements/visa/")]


def test_an_item_only_in_another_language_has_that_language_as_x_default() -> None:
    urls = urls_of([page("only", "az")])
    assert urls.language_alternates(urls.item_urls(urls.site.pages[0]))[-1] == \
        Alternate("x-default", f"{BASE}/az/announcements/only/")


def test_a_listing_page_exists_only_in_the_languages_that_have_that_many_pages() -> None:
    urls = urls_of([*(page(f"n{k}", "en", day=k) for k in range(1, 6)), page("n1", "ar")], paginate=2)
    assert set(urls.list_urls("announcements", 1)) == {"en", "ar", "az"}  # an empty listing still has its first page
    assert urls.list_urls("announcements", 3) == {"en": "/en/announcements/page/3/"}
    assert urls.list_urls("announcements", 4) == {}


def test_the_root_chooser_is_the_homes_x_default() -> None:
    urls = urls_of([page("visa", "en")])
    alternates = urls.root_alternates()
    assert [a.hreflang for a in alternates] == ["en", "ar", "az", "x-default"]
    assert alternates[-1].href == f"{BASE}/"


def test_home_lists_and_selections() -> None:
    later = datetime(2026, 12, 1, 10, tzinfo=UTC)
    past = datetime(2026, 11, 1, 10, tzinfo=UTC)
    pages = [*(page(f"n{k}", "en", day=k) for k in range(1, 8)),
             page("claim", "en", day=9, rumour=RumourInfo("A claim", "false")),
             page("soon", "en", "events", event=EventInfo(later, None)),
             page("gone", "en", "events", event=EventInfo(past, None))]
    urls = urls_of(pages)
    latest, upcoming, highlights = urls.home_lists("en")
    assert [p.slug for p in latest] == ["claim", "n7", "n6", "n5", "n4"]  # newest five
    assert [p.slug for p in upcoming] == ["soon"] and highlights == ()
    assert [p.slug for p in urls.rumours("en")] == ["claim"] and urls.rumours("ar") == ()
    assert urls.rumours_urls() == {"en": rumours_url("en")} == {"en": "/en/rumours/"}
    assert urls.channels_urls()["ar"] == channels_url("ar") == "/ar/channels/"
    assert urls.statements("en") == ()  # no reference without a ledger
    assert urls.search_languages() == ("en",)


def test_the_sitemap_lists_every_published_page_once_with_the_alternates_of_its_head() -> None:
    pages = [page("visa", "en"), page("visa", "ar"), page("draft", "en", draft=True)]
    urls = urls_of(pages)
    entries = {entry.loc: entry for entry in urls.sitemap_entries()}
    assert f"{BASE}/en/announcements/draft/" not in entries
    visa = entries[f"{BASE}/ar/announcements/visa/"]
    arabic = next(p for p in urls.site.pages if p.url == "/ar/announcements/visa/")
    assert list(visa.alternates) == urls.language_alternates(urls.item_urls(arabic))
    assert len(entries) == len(urls.sitemap_entries())  # no URL twice
    assert {f"{BASE}/", f"{BASE}/en/", f"{BASE}/ar/tags/", f"{BASE}/az/announcements/"} <= set(entries)
