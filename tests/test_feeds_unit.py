"""generator/feeds.py called directly on a Site assembled from hand-made Pages (no build, no clock)."""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.assembly.site import assemble, tag_slug
from generator.core.model import EventInfo, Language, Page, Site, SiteConfig
from generator.outputs.feeds import FeedSpec, absolute_links, feed_specs, render_feeds
from generator.sources.i18n import Catalog, load_catalog
from generator.sources.markdown import make_markdown, render_markdown
from generator.sources.theme import builtin_themes_dir
from tests.conftest import NOW

BASE = "https://embassy.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
LANGUAGES = (Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    found, _ = load_catalog([builtin_themes_dir() / "default" / "i18n"], Path("."), ["en", "ar"], "en")
    return found


def item(slug: str, day: int, lang: str = "en", section: str = "announcements", **extra: object) -> Page:
    return Page(source=f"content/{section}/{slug}.{lang}.md", section=section, slug=slug, lang=lang, title=slug.title(),
                body_html='<p><a href="/en/about/">About</a></p>', source_hash="h",
                date=datetime(2026, 11, day, 10, tzinfo=UTC), **extra)  # type: ignore[arg-type]


def make_site(pages: list[Page], **settings: object) -> Site:
    config = SiteConfig(title={"en": "Embassy", "ar": "سفارة"}, base_url=BASE + "/", default_language="en",
                        languages=LANGUAGES, timezone="Asia/Baku", **settings)  # type: ignore[arg-type]
    site, problems = assemble(pages, config, NOW)
    assert not [p for p in problems if p.severity == "error"]
    return site


def spec(site: Site, catalog: Catalog, folder: str) -> FeedSpec:
    return next(s for s in feed_specs(site, catalog) if s.folder == folder)


def test_one_feed_per_language_section_and_tag(catalog: Catalog) -> None:
    event = EventInfo(start=datetime(2026, 12, 1, tzinfo=UTC), end=None)
    site = make_site([item("a", 1, tags=("consular",)), item("b", 2), item("c", 3, section="events", event=event),
                      item("d", 4, lang="ar", tags=("consular",))])
    specs = {(s.lang, s.folder): [p.slug for p in s.items] for s in feed_specs(site, catalog)}
    assert specs == {("en", "/en/"): ["c", "b", "a"], ("en", "/en/announcements/"): ["b", "a"], ("en", "/en/events/"): ["c"],
                     ("en", "/en/investment/"): [], ("ar", "/ar/"): ["d"], ("ar", "/ar/announcements/"): ["d"],
                     ("ar", "/ar/events/"): [], ("ar", "/ar/investment/"): [], ("en", "/en/tags/consular/"): ["a"],
                     ("ar", "/ar/tags/consular/"): ["d"]}
    feed = spec(site, catalog, "/en/events/")
    assert (feed.page_path, feed.rss_path, feed.atom_path) == ("/en/events/", "/en/events/feed.xml", "/en/events/atom.xml")
    assert feed.title == "Events · Embassy"


def test_feed_length_is_respected_and_active_alerts_are_pinned_first(catalog: Catalog) -> None:
    pages = [item(f"n{day}", day) for day in range(1, 9)] + [item("alert", 1, alert="warning", tags=("x",))]
    site = make_site(pages, feed_length=3)
    assert [p.slug for p in spec(site, catalog, "/en/").items] == ["alert", "n8", "n7"]
    assert [p.slug for p in spec(site, catalog, "/en/announcements/").items] == ["alert", "n8", "n7"]
    assert [p.slug for p in spec(site, catalog, "/en/tags/x/").items] == ["alert"]
    assert all(len(s.items) <= 3 for s in feed_specs(site, catalog))


def test_rss_channel_items_and_dates(catalog: Catalog) -> None:
    newest = item("new", 5, updated=datetime(2026, 11, 9, 8, tzinfo=UTC))
    site = make_site([item("old", 1), newest])
    rss, atom = render_feeds(site, catalog, spec(site, catalog, "/en/announcements/"))
    assert (rss.path, atom.path) == ("en/announcements/feed.xml", "en/announcements/atom.xml")
    channel = ET.fromstring(rss.data or b"").find("channel")
    assert channel is not None
    assert channel.findtext("link") == f"{BASE}/en/announcements/"
    assert [a.get("href") for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"] == [
        f"{BASE}/en/announcements/feed.xml"]
    # the newest item's change, not the clock (NOW is 2026-11-23)
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate") or "") == datetime(2026, 11, 9, 8, tzinfo=UTC)
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["New", "Old"]
    for entry in items:
        assert entry.findtext("guid") == entry.findtext("link")
        assert entry.find("guid").get("isPermaLink") == "true"  # type: ignore[union-attr]
    assert items[1].findtext("link") == f"{BASE}/en/announcements/old/"
    feed = ET.fromstring(atom.data or b"")
    assert {a.get("rel"): a.get("href") for a in feed.findall(f"{ATOM}link")} == {
        "self": f"{BASE}/en/announcements/atom.xml", "alternate": f"{BASE}/en/announcements/"}
    assert feed.findtext(f"{ATOM}updated") == "2026-11-09T08:00:00+00:00"


def test_rendering_does_not_depend_on_the_clock(catalog: Catalog) -> None:
    pages = [item("a", 1), item("b", 2)]
    first = make_site(pages)
    later = replace(first, now=NOW + timedelta(days=30))
    feed = spec(first, catalog, "/en/")
    assert render_feeds(first, catalog, feed) == render_feeds(later, catalog, feed)


def test_absolute_links() -> None:
    base = f"{BASE}/en/announcements/a/"
    html = '<a href="/en/about/">x</a><img src="photo.jpg"><a href="../b/#top">y</a><a href="https://other.org/">z</a>'
    assert absolute_links(html, base) == (f'<a href="{BASE}/en/about/">x</a><img src="{base}photo.jpg">'
                                          f'<a href="{BASE}/en/announcements/b/#top">y</a><a href="https://other.org/">z</a>')
    assert absolute_links("<p>no links, href= alone</p>", base) == "<p>no links, href= alone</p>"
    # only the href and src attributes themselves: data-src, data-href are the page's scripts' business
    kept = '<img data-src="lazy.jpg" src="a.jpg"><a data-href="x" href="y">z</a>'
    assert absolute_links(kept, base) == f'<img data-src="lazy.jpg" src="{base}a.jpg"><a data-href="x" href="{base}y">z</a>'
    # text is not a tag, even where raw HTML is allowed and nh3 leaves its quotes as they are
    md = make_markdown(allow_html=True)
    sample, _ = render_markdown(md, 'Write `<img src="logo.png">` or src="a.png" here. <a title="a>b" href="c/">d</a>\n')
    assert absolute_links(sample, base) == sample.replace('href="c/"', f'href="{base}c/"')
    assert 'src="logo.png"' in sample and 'src="a.png"' in sample


def test_tag_feed_title_uses_the_tag_label(catalog: Catalog) -> None:
    site = make_site([item("a", 1, lang="ar", tags=("Consular Services",))],
                     tags={"Consular Services": {"ar": "خدمات قنصلية"}})
    feed = spec(site, catalog, f"/ar/tags/{tag_slug('Consular Services')}/")
    assert feed.title == "خدمات قنصلية · سفارة"
