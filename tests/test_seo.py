"""sitemap.xml, hreflang alternates, internal links and JSON-LD (generator/seo.py and the head of every page)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser

from tests.conftest import run_build
from tests.machine import BASE, SITEMAP, XHTML, Head, feeds_of, head, json_ld, site_path, url_to_file


def test_hreflang_alternates_are_reciprocal_and_exist(demo: Path) -> None:
    checked = 0
    for file in demo.rglob("*.html"):
        parsed = head(file)
        if not parsed.alternates:
            continue
        mine = set(parsed.alternates)
        assert parsed.canonical in {href for _, href in mine}, file
        assert len([1 for lang, _ in mine if lang == "x-default"]) == 1
        for _, href in mine:
            target = url_to_file(demo, href)
            assert target is not None, (file, href)
            assert set(head(target).alternates) == mine, (file, target)
        checked += 1
    assert checked > 60


def test_sitemap_lists_every_indexable_page_with_its_head_alternates(demo: Path) -> None:
    root = ET.parse(demo / "sitemap.xml").getroot()
    entries = {}
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc") or ""
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        if lastmod:
            datetime.fromisoformat(lastmod)
        entries[loc] = {(link.get("hreflang"), link.get("href")) for link in url.findall(f"{XHTML}link")}
    pages = {}
    for file in demo.rglob("index.html"):
        parsed = head(file)
        if not parsed.noindex:
            pages[parsed.canonical] = set(parsed.alternates)
    assert set(entries) == set(pages)
    for loc, alternates in entries.items():
        assert alternates == pages[loc], loc
    assert "Sitemap: https://embassy.example.org/sitemap.xml" in (demo / "robots.txt").read_text()


def test_every_internal_link_and_anchor_resolves(demo: Path) -> None:
    heads: dict[Path, Head] = {}

    def parsed(file: Path) -> Head:
        if file not in heads:
            heads[file] = head(file)
        return heads[file]

    def check(origin: Path, href: str, base_path: str) -> None:
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "embassy.example.org"):
            return
        path = parts.path if parts.path.startswith("/") else base_path.rsplit("/", 1)[0] + "/" + parts.path
        target = url_to_file(demo, path) if parts.path else origin
        assert target is not None, f"{origin}: broken link {href}"
        if parts.fragment and target.suffix == ".html":
            assert unquote(parts.fragment) in parsed(target).ids, f"{origin}: no #{parts.fragment} in {target}"

    count = 0
    for file in demo.rglob("*.html"):
        for href in parsed(file).links:
            check(file, href, site_path(demo, file))
            count += 1
    for file in feeds_of(demo):
        for entry in feedparser.parse(file.read_bytes()).entries:
            check(file, entry.link, "/")
            for href in re.findall(r'(?:href|src)="([^"]+)"', entry.content[0].value):
                check(file, href, "/")
                count += 1
    assert count > 1000



# ------------------------------------------------------------------ JSON-LD
def test_json_ld_types_and_fields(demo: Path) -> None:
    home = json_ld(demo / "ar/index.html")
    assert home[0]["@type"] == "GovernmentOrganization" and home[0]["url"] == f"{BASE}/ar/"
    article = json_ld(demo / "en/announcements/consular-registration-winter-2026/index.html")[0]
    assert article["@type"] == "NewsArticle"
    for key in ("headline", "datePublished", "dateModified", "author", "publisher"):
        assert key in article, key
    datetime.fromisoformat(str(article["datePublished"]))
    event = json_ld(demo / "en/events/national-day-reception/index.html")[0]
    assert event["@type"] == "Event"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    location = event["location"]
    assert isinstance(location, dict) and location["@type"] == "Place" and "address" in location
    online = json_ld(demo / "en/events/veloria-film-week/index.html")[0]
    assert online["eventStatus"] == "https://schema.org/EventMovedOnline"
    assert isinstance(online["location"], dict) and online["location"]["@type"] == "VirtualLocation"
    for file in demo.rglob("index.html"):
        for block in head(file).json_ld:
            json.loads(block)


def test_json_ld_cannot_be_broken_out_of(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/evil.en.md": (
        '---\ntitle: "</script><script>alert(1)</script>"\ndate: 2026-11-02T10:00:00+04:00\n'
        'summary: "a & b <!-- c"\n---\nText.\n')})
    assert run_build(root).ok
    html = (root / "public/en/announcements/evil/index.html").read_text(encoding="utf-8")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"

