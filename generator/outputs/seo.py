"""What search engines read: sitemap.xml, robots.txt and schema.org JSON-LD (DESIGN §5, §7)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from ..assembly.site import absolute_url
from ..core.model import VERDICTS, Office, OutputFile, Page, Site
from .feeds import modified, published

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SCHEMA = "https://schema.org"
EVENT_STATUS = MappingProxyType({"scheduled": "EventScheduled", "cancelled": "EventCancelled", "postponed": "EventPostponed",
                "rescheduled": "EventRescheduled", "moved-online": "EventMovedOnline"})


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    href: str  # absolute


@dataclass(frozen=True)
class SitemapEntry:
    loc: str  # absolute
    alternates: tuple[Alternate, ...]
    lastmod: datetime | None


def sitemap_xml(entries: list[SitemapEntry]) -> OutputFile:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">']
    links: dict[tuple[Alternate, ...], str] = {}  # a translation group's pages share their alternates: written once
    for entry in sorted(entries, key=lambda e: e.loc):
        lines.append(f"  <url>\n    <loc>{escape(entry.loc)}</loc>")
        if entry.lastmod is not None:
            lines.append(f"    <lastmod>{entry.lastmod.isoformat()}</lastmod>")
        if entry.alternates:
            written = links.get(entry.alternates)
            if written is None:
                written = links[entry.alternates] = "\n".join(
                    f'    <xhtml:link rel="alternate" hreflang={quoteattr(alt.hreflang)} href={quoteattr(alt.href)}/>'
                    for alt in entry.alternates)
            lines.append(written)
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"))


def robots_txt(site: Site) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(site.config, '/sitemap.xml')}\n"
    return OutputFile("robots.txt", text.encode("utf-8"))


def newest(pages: Iterable[Page], times: dict[int, datetime | None] | None = None) -> datetime | None:
    """The latest time any of ``pages`` was published or updated; ``times``: each page's, by its id, kept across
    calls (the sitemap asks for a page's time in a dozen entries)."""
    found: list[datetime] = []
    for page in pages:
        if times is None or (moment := times.get(id(page), _UNKNOWN)) is _UNKNOWN:
            moment = modified(page) if page.date or page.updated else None
            if times is not None:
                times[id(page)] = moment
        if isinstance(moment, datetime):
            found.append(moment)
    return max(found, default=None)


_UNKNOWN = object()


# ------------------------------------------------------------------ JSON-LD
def json_ld_text(data: dict[str, Any] | None) -> str:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` escaped so no text can close it."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def organization(site: Site, lang: str) -> dict[str, Any]:
    config = site.config
    data: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "name": config.site_title(lang),
        "url": absolute_url(config, f"/{lang}/"),
    }
    same_as = [channel.url for channel in config.channels]
    if same_as:
        data["sameAs"] = same_as
    contact = config.contact
    if contact is not None:
        places = [_embassy(office, lang, config.default_language) for office in contact.offices]
        if places:
            data["location"] = places[0] if len(places) == 1 else places
        if contact.emergency:
            data["contactPoint"] = {"@type": "ContactPoint", "contactType": "emergency",
                                    "telephone": contact.emergency.replace(" ", "")}
    return data


def _embassy(office: Office, lang: str, default: str) -> dict[str, Any]:
    """An office as schema.org's Embassy (a place): name, address, telephone, e-mail, hours in ``lang``."""
    place: dict[str, Any] = {"@type": "Embassy", "name": office.name.get(lang) or office.name.get(default, "")}
    address = office.address.get(lang) or office.address.get(default)
    if address:
        place["address"] = {"@type": "PostalAddress", "streetAddress": address}
    if office.phone:
        place["telephone"] = office.phone.replace(" ", "")
    if office.email:
        place["email"] = office.email
    hours = office.hours.get(lang) or office.hours.get(default)
    if hours:
        place["description"] = hours
    return place


def home_json_ld(site: Site, lang: str) -> dict[str, Any]:
    data = {"@context": SCHEMA, **organization(site, lang)}
    description = site.config.description.get(lang)
    if description:
        data["description"] = description
    return data


def item_json_ld(site: Site, page: Page) -> dict[str, Any]:
    config = site.config
    url = absolute_url(config, page.url)
    base: dict[str, Any] = {"@context": SCHEMA, "url": url, "inLanguage": page.lang}
    if page.summary:
        base["description"] = page.summary
    if page.image is not None:
        base["image"] = urljoin(url, page.image.src)
    if page.changes:  # each published correction or update, in the open
        base["correction"] = [{"@type": "CorrectionComment", "text": change.note,
                               "datePublished": change.at.isoformat()} for change in page.changes]
    if page.rumour is not None:
        return {**base, **claim_review(site, page, url)}
    if page.section == "announcements":
        return {**base, "@type": "NewsArticle", "headline": page.title[:110], "mainEntityOfPage": url,
                "datePublished": published(page).isoformat(), "dateModified": modified(page).isoformat(),
                "author": organization(site, page.lang), "publisher": organization(site, page.lang)}
    if page.section == "events" and page.event is not None:
        return {**base, **_event(site, page)}
    data = {**base, "@type": "WebPage", "name": page.title, "publisher": organization(site, page.lang)}
    if page.date:
        data["datePublished"] = page.date.isoformat()
        data["dateModified"] = modified(page).isoformat()
    return data


#: schema.org ratings for the verdicts, worst first (1: false … 4: true), with the scale they are on.
RATINGS = MappingProxyType({verdict: number for number, verdict in enumerate(VERDICTS, 1)})


def claim_review(site: Site, page: Page, url: str) -> dict[str, Any]:
    """schema.org ClaimReview: the claim, where it appeared, the embassy's verdict. Search engines no longer show
    it; fact-checkers and their tools still read it."""
    rumour = page.rumour
    assert rumour is not None
    claim: dict[str, Any] = {"@type": "Claim", "name": rumour.claim}
    appearances = [{"@type": "CreativeWork", "url": sighting.url} for sighting in rumour.seen if sighting.url]
    if appearances:
        claim["appearance"] = appearances
        claim["firstAppearance"] = appearances[0]
    dated = [sighting.at for sighting in rumour.seen if sighting.at is not None]
    if dated:
        claim["datePublished"] = min(dated).isoformat()
    return {
        "@type": "ClaimReview", "name": page.title, "claimReviewed": rumour.claim,
        "datePublished": published(page).isoformat(), "dateModified": modified(page).isoformat(),
        "author": organization(site, page.lang), "itemReviewed": claim,
        "reviewRating": {"@type": "Rating", "ratingValue": RATINGS[rumour.verdict], "bestRating": len(VERDICTS),
                         "worstRating": 1, "alternateName": rumour.verdict.capitalize()},
    }


def _event(site: Site, page: Page) -> dict[str, Any]:
    info = page.event
    assert info is not None
    zone = ZoneInfo(site.config.timezone)  # dates as the page and the .ics show them
    places: list[dict[str, Any]] = []
    venue = info.venue
    if venue is not None and info.status != "moved-online":
        place: dict[str, Any] = {"@type": "Place", "name": venue.name or venue.city or page.title}
        address = {key: value for key, value in (("streetAddress", venue.address), ("addressLocality", venue.city),
                                                 ("addressCountry", venue.country)) if value}
        if address:
            place["address"] = {"@type": "PostalAddress", **address}
        if venue.lat is not None and venue.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
        places.append(place)
    if info.online_url:
        places.append({"@type": "VirtualLocation", "url": info.online_url})
    mode = ("MixedEventAttendanceMode" if len(places) == 2 else
            "OnlineEventAttendanceMode" if places and places[0]["@type"] == "VirtualLocation" else
            "OfflineEventAttendanceMode")
    data: dict[str, Any] = {
        "@type": "Event",
        "name": page.title,
        "startDate": info.start.astimezone(zone).date().isoformat() if info.all_day else info.start.isoformat(),
        "eventStatus": f"{SCHEMA}/{EVENT_STATUS.get(info.status, 'EventScheduled')}",
        "eventAttendanceMode": f"{SCHEMA}/{mode}",
        "organizer": ({"@type": "Organization", "name": info.organizer, "url": absolute_url(site.config, f"/{page.lang}/")}
                      if info.organizer else organization(site, page.lang)),
    }
    if info.end is not None:
        data["endDate"] = info.end.astimezone(zone).date().isoformat() if info.all_day else info.end.isoformat()
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    return data
