"""Feeds, calendars, sitemap and JSON-LD of the demo build and of small sites, checked with real parsers."""

from __future__ import annotations

import email.utils
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import icalendar
import pytest

from tests.conftest import NOW, run_build, tree

REPO = Path(__file__).resolve().parent.parent
BASE = "https://embassy.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                    r"\d{2}:\d{2}:\d{2} [+-]\d{4}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "public"
    report = run_build(REPO, out, incremental=False)
    assert report.ok, report.errors
    return out


def feeds_of(out: Path) -> list[Path]:
    return sorted([*out.rglob("feed.xml"), *out.rglob("atom.xml")])


def site_path(out: Path, file: Path) -> str:
    return "/" + file.relative_to(out).as_posix()


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


# ------------------------------------------------------------------ calendars
def ics_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.ics"))


def test_every_ics_parses_and_is_complete(demo: Path) -> None:
    files = ics_files(demo)
    assert {f.relative_to(demo).as_posix() for f in files} >= {f"{lang}/events/calendar.ics" for lang in ("en", "ar", "az", "uz")}
    assert any(f.name == "event.ics" for f in files)
    uids: dict[str, str] = {}
    for file in files:
        data = file.read_bytes()
        cal = icalendar.Calendar.from_ical(data)
        assert cal["VERSION"] == "2.0" and "PRODID" in cal
        zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
        for event in cal.walk("VEVENT"):
            for key in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL", "STATUS", "DESCRIPTION"):
                assert key in event, (file, key)
            assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
            assert re.search(rb"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", data)
            start = event["DTSTART"]
            if isinstance(start.dt, datetime):
                assert start.params["TZID"] in zones, (file, start.params)
            if file.name == "event.ics":
                uid = str(event["UID"])
                assert uids.setdefault(uid, file.as_posix()) == file.as_posix(), f"UID {uid} used twice"
        lang = file.relative_to(demo).parts[0]
        assert all(str(e["UID"]).endswith(f"-{lang}@embassy.example.org") for e in cal.walk("VEVENT"))


def test_ics_line_endings_and_octet_folding(demo: Path) -> None:
    saw_folded_arabic = False
    for file in ics_files(demo):
        data = file.read_bytes()
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b""), f"bare LF in {file}"
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, (file, line)
        if file.parts[-4:-2] == ("ar", "events") or "/ar/" in file.as_posix():
            saw_folded_arabic = saw_folded_arabic or b"\r\n " in data
        data.decode("utf-8")  # folding never splits a UTF-8 sequence
        for line in data.split(b"\r\n"):
            line.decode("utf-8")
    assert saw_folded_arabic


def test_event_status_and_location(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "content/events/cancelled.en.md": ('---\ntitle: "Cancelled concert"\ndate: 2026-11-01T10:00:00+04:00\n'
                                           "start: 2026-12-20T19:00:00+04:00\nstatus: cancelled\n"
                                           'venue: {name: "Hall", city: "Baku"}\n---\nSorry.\n'),
        "content/events/online.en.md": ('---\ntitle: "Webinar"\ndate: 2026-11-01T10:00:00+04:00\n'
                                        "start: 2026-12-21T10:00:00Z\nend: 2026-12-21T11:00:00Z\n"
                                        "status: moved-online\nonline_url: https://example.org/live\n---\nOnline.\n"),
        "content/events/day.en.md": ('---\ntitle: "Open day"\ndate: 2026-11-01T10:00:00+04:00\n'
                                     "start: 2026-12-22T00:00:00+04:00\nall_day: true\n---\nAll day.\n"),
    })
    assert run_build(root).ok
    out = root / "public/en/events"

    def event(slug: str) -> icalendar.Event:
        return next(iter(icalendar.Calendar.from_ical((out / slug / "event.ics").read_bytes()).walk("VEVENT")))

    assert event("cancelled")["STATUS"] == "CANCELLED"
    online = event("online")
    assert online["STATUS"] == "CONFIRMED" and str(online["LOCATION"]) == "https://example.org/live"
    assert online["DTSTART"].params["TZID"] == "Asia/Baku"
    assert online["DTSTART"].dt.hour == 14  # 10:00 UTC shown in the site's zone
    day = event("day")
    assert str(day["DTSTART"].dt) == "2026-12-22" and str(day["DTEND"].dt) == "2026-12-23"
    calendar = icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes())
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} >= {"Cancelled concert", "Webinar", "Open day"}
    page = (out / "cancelled/index.html").read_text(encoding="utf-8")
    assert 'href="/en/events/cancelled/event.ics"' in page


def test_past_events_leave_the_calendar_but_keep_their_file(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root, now=datetime.fromisoformat("2027-01-10T00:00:00+00:00")).ok
    calendar = icalendar.Calendar.from_ical((root / "public/en/events/calendar.ics").read_bytes())
    assert list(calendar.walk("VEVENT")) == []
    assert (root / "public/en/events/reception/event.ics").is_file()


# ------------------------------------------------------------------ sitemap, alternates, links
class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alternates: list[tuple[str, str]] = []
        self.canonical = ""
        self.noindex = False
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.json_ld: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates.append((a["hreflang"], a["href"]))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        if tag == "meta" and a.get("name") == "robots" and "noindex" in a.get("content", ""):
            self.noindex = True
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.links.append(a["src"])
        if a.get("id"):
            self.ids.add(a["id"])
        self._in_json = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_json = False


def head(file: Path) -> _Head:
    parser = _Head()
    parser.feed(file.read_text(encoding="utf-8"))
    return parser


def url_to_file(out: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path)
    candidate = out / path.lstrip("/")
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


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
    heads: dict[Path, _Head] = {}

    def parsed(file: Path) -> _Head:
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
def json_ld(file: Path) -> list[dict[str, object]]:
    return [json.loads(block) for block in head(file).json_ld]


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
