"""generator/seo.py called directly: sitemap.xml, robots.txt and schema.org JSON-LD of hand-made Pages."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from generator.assembly.site import assemble
from generator.core.model import Channel, EventInfo, Image, Language, Page, Site, SiteConfig, Venue
from generator.outputs.seo import Alternate, SitemapEntry, home_json_ld, item_json_ld, json_ld_text, robots_txt, sitemap_xml
from tests.conftest import NOW

BASE = "https://embassy.example.org"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
WHEN = datetime(2026, 11, 2, 10, tzinfo=UTC)


def make_site(pages: tuple[Page, ...] = (), **settings: object) -> Site:
    config = SiteConfig(**{"title": {"en": "Embassy", "ar": "سفارة"}, "base_url": BASE + "/", "default_language": "en",
                           "languages": (Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar")),
                           "timezone": "Asia/Baku", **settings})  # type: ignore[arg-type]
    return assemble(list(pages), config, NOW)[0]


def page(section: str, **extra: object) -> Page:
    return Page(source=f"content/{section}/x.en.md", section=section, slug="x", lang="en", title=str(extra.pop("title", "Title")),
                body_html="", source_hash="h", **extra)  # type: ignore[arg-type]


def test_sitemap_structure_sorting_and_escaping() -> None:
    entries = [SitemapEntry(f"{BASE}/en/?a=1&b=2", (Alternate("en", f"{BASE}/en/"), Alternate("x-default", f"{BASE}/")), WHEN),
               SitemapEntry(f"{BASE}/", (), None)]
    out = sitemap_xml(entries)
    assert out.path == "sitemap.xml" and out.data is not None and out.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    urls = ET.fromstring(out.data).findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [f"{BASE}/", f"{BASE}/en/?a=1&b=2"]
    assert urls[0].find(f"{SITEMAP}lastmod") is None
    assert datetime.fromisoformat(urls[1].findtext(f"{SITEMAP}lastmod") or "") == WHEN
    assert [(link.get("rel"), link.get("hreflang"), link.get("href")) for link in urls[1].findall(f"{XHTML}link")] == [
        ("alternate", "en", f"{BASE}/en/"), ("alternate", "x-default", f"{BASE}/")]


def test_robots_txt_points_at_the_sitemap() -> None:
    out = robots_txt(make_site(base_url="https://example.org/embassy/"))
    assert out.path == "robots.txt"
    assert (out.data or b"").decode().splitlines()[-1] == "Sitemap: https://example.org/embassy/sitemap.xml"


def test_json_ld_text_escapes_markup_and_stays_json() -> None:
    data = {"headline": "</script><script>alert(1)</script>", "summary": "a & b <!--", "name": "سفارة"}
    text = json_ld_text(data)
    assert not {"<", ">", "&"} & set(text)
    assert "سفارة" in text and json.loads(text) == data
    assert json_ld_text(None) == "" and json_ld_text({}) == ""


def test_announcement_and_page_types() -> None:
    news = page("announcements", title="T" * 120, date=WHEN, updated=datetime(2026, 11, 5, tzinfo=UTC), summary="Short",
                image=Image("photo.jpg", "A photo"))
    data = item_json_ld(make_site((news,)), news)
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == "T" * 110 and data["description"] == "Short" and data["inLanguage"] == "en"
    assert data["url"] == data["mainEntityOfPage"] == f"{BASE}/en/announcements/x/"
    assert data["image"] == f"{BASE}/en/announcements/x/photo.jpg"
    assert (data["datePublished"], data["dateModified"]) == (WHEN.isoformat(), "2026-11-05T00:00:00+00:00")
    assert data["publisher"] == data["author"] == {"@type": "GovernmentOrganization", "name": "Embassy", "url": f"{BASE}/en/"}
    about = page("pages", title="About")
    web = item_json_ld(make_site((about,)), about)
    assert web["@type"] == "WebPage" and web["name"] == "About" and web["url"] == f"{BASE}/en/x/"
    assert "datePublished" not in web


@pytest.mark.parametrize(("status", "venue", "online", "types", "mode"), [
    ("scheduled", True, False, ["Place"], "Offline"),
    ("scheduled", False, True, ["VirtualLocation"], "Online"),
    ("scheduled", True, True, ["Place", "VirtualLocation"], "Mixed"),
    ("moved-online", True, True, ["VirtualLocation"], "Online"),
])
def test_event_location_and_attendance_mode(status: str, venue: bool, online: bool, types: list[str], mode: str) -> None:
    info = EventInfo(start=WHEN, end=None, status=status, online_url="https://live.example.org/" if online else "",
                     venue=Venue(name="Hall", city="Baku", country="AZ", lat=40.4, lon=49.8) if venue else None)
    item = page("events", date=WHEN, event=info)
    data = item_json_ld(make_site((item,)), item)
    assert data["@type"] == "Event" and data["startDate"] == WHEN.isoformat() and "endDate" not in data
    assert data["eventAttendanceMode"] == f"https://schema.org/{mode}EventAttendanceMode"
    assert data["eventStatus"] == ("https://schema.org/EventMovedOnline" if status == "moved-online" else
                                   "https://schema.org/EventScheduled")
    location = data["location"] if isinstance(data["location"], list) else [data["location"]]
    assert [place["@type"] for place in location] == types
    if types[0] == "Place":
        assert location[0]["address"] == {"@type": "PostalAddress", "addressLocality": "Baku", "addressCountry": "AZ"}
        assert location[0]["geo"] == {"@type": "GeoCoordinates", "latitude": 40.4, "longitude": 49.8}
    if online:
        assert location[-1] == {"@type": "VirtualLocation", "url": "https://live.example.org/"}


def test_home_is_a_government_organization() -> None:
    site = make_site(description={"en": "Our embassy"},
                     channels=(Channel("x", "X", "https://x.com/embassy", "embassy"),
                               Channel("mastodon", "Mastodon", "https://social.example/@embassy", "@embassy@social.example")))
    home = home_json_ld(site, "en")
    assert home == {"@context": "https://schema.org", "@type": "GovernmentOrganization", "name": "Embassy",
                    "url": f"{BASE}/en/", "sameAs": ["https://x.com/embassy", "https://social.example/@embassy"],
                    "description": "Our embassy"}
    arabic = home_json_ld(site, "ar")
    assert arabic["name"] == "سفارة" and arabic["url"] == f"{BASE}/ar/" and "description" not in arabic


def test_all_day_start_date_is_in_the_site_zone() -> None:
    info = EventInfo(start=datetime(2026, 12, 21, 22, tzinfo=UTC), end=None, all_day=True)  # 22 December in Baku
    item = page("events", date=WHEN, event=info)
    assert item_json_ld(make_site((item,)), item)["startDate"] == "2026-12-22"
