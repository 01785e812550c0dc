"""Feeds (generator/feeds.py): RSS and Atom of the demo and of small sites, checked with feedparser and strictly."""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar

from tests.conftest import NOW, run_build, tree
from tests.machine import ATOM, BASE, RFC822, RFC3339, XML_LANG, feeds_of, site_path


# ------------------------------------------------------------------ feeds
def test_demo_has_every_feed(demo: Path) -> None:
    folders = {site_path(demo, f.parent) for f in feeds_of(demo)}
    for lang in ("en", "ar", "az", "uz"):
        assert {f"/{lang}", f"/{lang}/announcements", f"/{lang}/events", f"/{lang}/investment"} <= folders
        assert any(folder.startswith(f"/{lang}/tags/") for folder in folders)
    for folder in folders:
        assert (demo / folder.lstrip("/") / "feed.xml").is_file() and (demo / folder.lstrip("/") / "atom.xml").is_file()


def test_every_feed_parses_with_feedparser(demo: Path) -> None:
    files = feeds_of(demo)
    assert len(files) > 30
    for file in files:
        parsed = feedparser.parse(file.read_bytes())
        assert parsed.bozo == 0, (file, parsed.get("bozo_exception"))
        lang = file.relative_to(demo).parts[0]
        assert parsed.feed.get("language", "").startswith(lang) or parsed.feed.get("language") == lang, file
        assert parsed.version in ("rss20", "atom10"), file


def test_rss_items_strictly(demo: Path) -> None:
    for file in demo.rglob("feed.xml"):
        channel = ET.parse(file).getroot().find("channel")
        assert channel is not None
        lang = file.relative_to(demo).parts[0]
        assert channel.findtext("language") == lang
        page = BASE + site_path(demo, file.parent) + "/"
        assert channel.findtext("link") == page, file  # the channel link is the HTML page ...
        self_links = [link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
        assert self_links == [BASE + site_path(demo, file)], file  # ... and atom:link self is the feed
        guids = []
        for item in channel.findall("item"):
            guid, link, title, date = (item.findtext(k) for k in ("guid", "link", "title", "pubDate"))
            assert guid and link and title and date, (file, title)
            assert link.startswith(BASE + f"/{lang}/")
            assert RFC822.match(date), date
            moment = email.utils.parsedate_to_datetime(date)
            assert date.startswith(moment.strftime("%a")), f"weekday does not match the date: {date}"
            guids.append(guid)
        assert len(guids) == len(set(guids)), file
        build_date = channel.findtext("lastBuildDate")
        assert build_date and RFC822.match(build_date)


def test_atom_entries_strictly(demo: Path) -> None:
    for file in demo.rglob("atom.xml"):
        feed = ET.parse(file).getroot()
        lang = file.relative_to(demo).parts[0]
        assert feed.get(XML_LANG) == lang
        feed_author = feed.find(f"{ATOM}author/{ATOM}name")
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["self"] == BASE + site_path(demo, file)
        assert links["alternate"] == BASE + site_path(demo, file.parent) + "/"
        ids = []
        for entry in feed.findall(f"{ATOM}entry"):
            entry_id = entry.findtext(f"{ATOM}id")
            updated = entry.findtext(f"{ATOM}updated") or ""
            assert entry_id and entry.findtext(f"{ATOM}title")
            assert RFC3339.match(updated), updated
            assert RFC3339.match(entry.findtext(f"{ATOM}published") or "")
            assert entry.find(f"{ATOM}author/{ATOM}name") is not None or feed_author is not None
            # RFC 4287 §4.2.7.2: a link without rel is rel="alternate" (feedgen leaves it out)
            alternate = [link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
            assert alternate and alternate[0].startswith(BASE + f"/{lang}/")
            content = entry.find(f"{ATOM}content")
            assert content is not None and content.get("type") == "html" and content.text
            ids.append(entry_id)
        assert len(ids) == len(set(ids)), file


def test_every_page_links_its_feeds_and_they_exist(demo: Path) -> None:
    for file in demo.rglob("*.html"):
        html = file.read_text(encoding="utf-8")
        feeds = re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]*" href="([^"]+)"', html)
        assert len(feeds) >= 2, file
        for href in feeds:
            assert href.startswith(BASE + "/")
            assert (demo / urlsplit(href).path.lstrip("/")).is_file(), href


ALERT_SITE = {
    "content/announcements/old-alert.en.md": ('---\ntitle: "Travel warning"\ndate: 2026-10-01T10:00:00+04:00\n'
                                              'alert: critical\nexpires_at: 2027-01-01T00:00:00Z\n---\nStay safe.\n'),
    "content/announcements/new-news.en.md": '---\ntitle: "Newer news"\ndate: 2026-11-20T10:00:00+04:00\n---\nNews.\n',
    "content/announcements/older-news.en.md": '---\ntitle: "Older news"\ndate: 2026-09-20T10:00:00+04:00\n---\nNews.\n',
}


def test_active_alert_is_pinned_first_and_length_is_configurable(make_site: Callable[..., Path]) -> None:
    root = make_site(ALERT_SITE)
    assert run_build(root).ok
    titles = [e.title for e in feedparser.parse((root / "public/en/feed.xml").read_bytes()).entries]
    assert titles[0] == "Travel warning" and titles[1] == "Newer news"
    assert len(titles) == 5  # 4 announcements + 1 event
    # once the alert expires it drops out of the feed entirely
    assert run_build(root, now=datetime.fromisoformat("2027-02-01T00:00:00+00:00")).ok
    later = [e.title for e in feedparser.parse((root / "public/en/feed.xml").read_bytes()).entries]
    assert "Travel warning" not in later and later[0] == "Newer news"
    site_yml = root / "site.yml"
    site_yml.write_text(site_yml.read_text() + "feeds: {length: 2}\n")
    assert run_build(root).ok
    entries = feedparser.parse((root / "public/en/announcements/atom.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Travel warning", "Newer news"]


def test_feed_content_has_absolute_links(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/links.en.md": ('---\ntitle: "Links"\ndate: 2026-11-02T10:00:00+04:00\n---\n'
                                                            "See [about](/en/about/) and [hours](../consular-hours/).\n")})
    assert run_build(root).ok
    entry = next(e for e in feedparser.parse((root / "public/en/feed.xml").read_bytes()).entries if e.title == "Links")
    html = entry.content[0].value
    assert f'href="{BASE}/en/about/"' in html
    assert f'href="{BASE}/en/announcements/consular-hours/"' in html


def test_ids_are_stable_across_later_builds_and_edits(make_site: Callable[..., Path]) -> None:
    root = make_site(ALERT_SITE)
    assert run_build(root).ok
    first = _identifiers(root / "public")
    news = root / "content/announcements/new-news.en.md"
    news.write_text(news.read_text().replace("News.", "Edited news.").replace('"Newer news"', '"Newer news, edited"'))
    assert run_build(root, now=NOW + timedelta(days=3)).ok
    second = _identifiers(root / "public")
    assert first == second
    assert any("new-news" in i for i in first)


def _identifiers(out: Path) -> set[str]:
    found: set[str] = set()
    for file in feeds_of(out):
        parsed = feedparser.parse(file.read_bytes())
        found.update(e.id for e in parsed.entries)
    for file in out.rglob("*.ics"):
        for component in icalendar.Calendar.from_ical(file.read_bytes()).walk("VEVENT"):
            found.add(str(component["UID"]))
    return found


def test_unchanged_content_gives_identical_machine_files_with_a_later_clock(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    before = {k: v for k, v in tree(root / "public").items() if k.endswith((".xml", ".ics", ".txt"))}
    assert run_build(root, now=NOW + timedelta(hours=20), incremental=False).ok
    after = {k: v for k, v in tree(root / "public").items() if k.endswith((".xml", ".ics", ".txt"))}
    assert before == after


