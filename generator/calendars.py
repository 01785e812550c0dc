"""Events → iCalendar files (RFC 5545), made with the icalendar library (DESIGN §7).

``/<lang>/events/calendar.ics`` holds the upcoming events in one language;
``/<lang>/events/<slug>/event.ics`` holds one event. UIDs name the item and
language, never the build; DTSTAMP is the item's own last change in UTC, so an
unchanged event gives the same bytes on every nightly build. icalendar writes
CRLF line endings and folds lines at 75 octets.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from .feeds import modified
from .i18n import Catalog
from .model import OutputFile, Page, Site
from .site import absolute_url, event_is_upcoming, list_url

PRODID = "-//legation//Embassy events//EN"
#: RFC 5545 STATUS for each event status; postponed events are not yet confirmed.
ICAL_STATUS = {"scheduled": "CONFIRMED", "rescheduled": "CONFIRMED", "moved-online": "CONFIRMED",
               "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


def event_uid(site: Site, page: Page) -> str:
    """Stable across builds and edits; one per event and language."""
    host = urlsplit(site.config.base_url).hostname or "localhost"
    return f"{page.section}-{page.slug}-{page.lang}@{host}"


def calendar_path(lang: str) -> str:
    return list_url(lang, "events") + "calendar.ics"


def event_ics_path(page: Page) -> str:
    return page.url + "event.ics"


def _calendar(site: Site, catalog: Catalog, lang: str, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", site.config.timezone)
    return cal


def _event(site: Site, page: Page) -> Event:
    info = page.event
    assert info is not None
    zone = ZoneInfo(site.config.timezone)
    event = Event()
    event.add("uid", event_uid(site, page))
    event.add("dtstamp", modified(page).astimezone(UTC))
    if page.updated is not None:
        event.add("last-modified", page.updated.astimezone(UTC))
    start = info.start.astimezone(zone)
    end = info.end.astimezone(zone) if info.end else None
    if info.all_day:
        event.add("dtstart", start.date())
        last = end.date() if end else start.date()
        event.add("dtend", last + timedelta(days=1))  # DTEND of a DATE event is exclusive
    else:
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
    event.add("summary", page.title)
    link = absolute_url(site.config, page.url)
    description = "\n\n".join(part for part in (page.summary, link) if part)
    event.add("description", description)
    location = _location(page)
    if location:
        event.add("location", location)
    event.add("url", link)
    withdrawn = site.page_status(page) == "withdrawn"
    event.add("status", "CANCELLED" if withdrawn else ICAL_STATUS.get(info.status, "CONFIRMED"))
    # ORGANIZER is left out: RFC 5545 wants a mailto: address, and the content model has none for events.
    for tag in page.tags:
        event.add("categories", tag)
    return event


def _location(page: Page) -> str:
    info = page.event
    if info is None:
        return ""
    venue = info.venue
    parts = [venue.name, venue.address, venue.city, venue.country] if venue else []
    text = ", ".join(part for part in parts if part)
    if info.online_url and (not text or info.status == "moved-online"):
        return info.online_url
    return text


def _serialise(site: Site, cal: Calendar, events: list[Page]) -> bytes:
    if events:
        starts = [p.event.start.date() for p in events if p.event]
        ends = [(p.event.end or p.event.start).date() for p in events if p.event]
        # VTIMEZONE rules only for the years the events need, not 1970-2038.
        cal.add_missing_timezones(first_date=date(min(starts).year, 1, 1), last_date=date(max(ends).year + 1, 1, 1))
    return bytes(cal.to_ical())


def render_calendars(site: Site, catalog: Catalog, lang: str) -> list[OutputFile]:
    """calendar.ics of the upcoming events in ``lang`` and event.ics for each of its events."""
    events = [p for p in site.listings[(lang, "events")] if p.lang == lang and p.event is not None]
    title = f"{catalog.get(lang, 'section.events')} · {site.config.site_title(lang)}"
    upcoming = [p for p in events if event_is_upcoming(p, site.now)]
    cal = _calendar(site, catalog, lang, title)
    for page in upcoming:
        cal.add_component(_event(site, page))
    outputs = [OutputFile(calendar_path(lang).lstrip("/"), _serialise(site, cal, upcoming))]
    for page in (p for p in site.pages if p.lang == lang and p.event is not None):
        single = _calendar(site, catalog, lang, page.title)
        single.add_component(_event(site, page))
        outputs.append(OutputFile(event_ics_path(page).lstrip("/"), _serialise(site, single, [page])))
    return outputs

