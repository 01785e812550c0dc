"""Events → iCalendar files (RFC 5545), made with the icalendar library (DESIGN §7).

``/<lang>/events/calendar.ics`` holds the upcoming events in one language;
``/<lang>/events/<slug>/event.ics`` holds one event. UIDs name the item and
language, never the build; DTSTAMP is the item's own last change in UTC, so an
unchanged event gives the same bytes on every nightly build. icalendar writes
CRLF line endings and folds lines at 75 octets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..assembly.site import absolute_url, event_is_upcoming, list_url
from ..core.model import OutputFile, Page, Site
from ..core.zones import zone_source
from ..sources.i18n import Catalog
from .feeds import modified

if TYPE_CHECKING:  # icalendar is imported where a calendar is made: a build that reuses every calendar skips it
    from icalendar import Calendar, Event, Timezone

PRODID = "-//legation//Embassy events//EN"
#: RFC 5545 STATUS for each event status; postponed events are not yet confirmed.
ICAL_STATUS = MappingProxyType({"scheduled": "CONFIRMED", "rescheduled": "CONFIRMED", "moved-online": "CONFIRMED",
               "postponed": "TENTATIVE", "cancelled": "CANCELLED"})


#: SEQUENCE per status: 0 as announced; 1 once moved in time or place; 2 once cancelled (or withdrawn), which
#: may follow a move. A client holding an earlier version replaces it only when the number grows.
SEQUENCE_OF = MappingProxyType({"scheduled": 0, "rescheduled": 1, "postponed": 1, "moved-online": 1, "cancelled": 2})


def cal_bytes(cal: Calendar) -> bytes:
    return bytes(cal.to_ical())


def event_uid(site: Site, page: Page) -> str:
    """Stable across builds and edits; one per event and language."""
    host = urlsplit(site.config.base_url).hostname or "localhost"
    return f"{page.section}-{page.slug}-{page.lang}@{host}"


def calendar_path(lang: str) -> str:
    return list_url(lang, "events") + "calendar.ics"


def event_ics_path(page: Page) -> str:
    return page.url + "event.ics"


def zone_years(site: Site) -> tuple[int, int] | None:
    """The first and last year of the site's events (None without events): the years its VTIMEZONE covers."""
    events = [p.event for p in site.pages if p.event is not None]
    if not events:
        return None
    return min(e.start.date() for e in events).year, max((e.end or e.start).date() for e in events).year


@dataclass(frozen=True)
class Transition:
    """A change of the zone's offset, abbreviation or daylight saving, at an instant."""

    at: datetime  # UTC
    before: timedelta
    after: timedelta
    name: str  # the abbreviation from then on (CEST)
    daylight: bool


def transitions(zone: ZoneInfo, first: date, last: date) -> list[Transition]:
    """Every transition of ``zone`` from ``first`` to ``last`` (UTC dates), to the second."""
    def state(moment: datetime) -> tuple[timedelta | None, str | None, bool]:
        local = moment.astimezone(zone)
        return local.utcoffset(), local.tzname(), bool(local.dst())

    found = []
    moment = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last, time(0), UTC)
    current = state(moment)
    step = timedelta(hours=6)  # no zone changes twice within six hours
    while moment < end:
        following = min(moment + step, end)
        upcoming = state(following)
        if upcoming != current:
            low, high = moment, following  # the change is in (low, high]: narrow it to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if state(middle) == current:
                    low = middle
                else:
                    high = middle
            at = high.replace(microsecond=0)
            offset, name, daylight = state(at)
            found.append(Transition(at, current[0] or timedelta(0), offset or timedelta(0), name or "", daylight))
            current = upcoming
        moment = following
    return found


def timezone_component(site: Site, rules: bytes | None = None) -> Timezone | None:
    """One VTIMEZONE for the site's zone, covering the years of every event (computed once per build).

    Each transition is an observance of its own with its own DTSTART (the onset in the local time before it,
    as RFC 5545 says), and no RDATE: ical.js (Thunderbird's engine) read icalendar's form, one DAYLIGHT with
    DTSTART and RDATEs, so that summer events in Europe/Berlin were an hour late in one year out of two.
    ``rules`` are the zone's TZif bytes (zones.zone_source, read here when not given): the zone is made from
    exactly the bytes its callers digested, not from a copy zoneinfo or icalendar cached earlier.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    years = zone_years(site)
    if years is None:
        return None
    key = site.config.timezone
    zone = ZoneInfo.from_file(io.BytesIO(zone_source(key)[1] if rules is None else rules), key=key)
    first, last = date(years[0], 1, 1) - timedelta(days=1), date(years[1] + 1, 1, 2)  # a day of margin each side
    component = Timezone()
    component.add("tzid", key)
    opening = datetime.combine(first, time(0), UTC).astimezone(zone)
    observances = [Transition(datetime.combine(first, time(0), UTC), opening.utcoffset() or timedelta(0),
                              opening.utcoffset() or timedelta(0), opening.tzname() or "", bool(opening.dst())),
                   *transitions(zone, first, last)]
    for change in observances:
        observance = TimezoneDaylight() if change.daylight else TimezoneStandard()
        observance.add("dtstart", (change.at + change.before).replace(tzinfo=None))
        observance.add("tzname", change.name)
        observance.add("tzoffsetfrom", change.before)
        observance.add("tzoffsetto", change.after)
        component.add_component(observance)
    return component


def zone_ical(zone: Timezone | None) -> bytes:
    """The VTIMEZONE as the library writes it (b"" for none): serialized once, then placed in every calendar."""
    return bytes(zone.to_ical()) if zone is not None else b""


def _calendar_bytes(site: Site, lang: str, name: str, zone: bytes, events: list[Event]) -> bytes:
    """A VCALENDAR with ``zone`` (already serialized) and ``events``.

    These are the bytes the library writes for the calendar with the zone and the events added as
    components, in that order (a component's lines are its properties, then each subcomponent's
    lines): the header and each event are serialized by icalendar, and the zone, the same in every
    calendar of the build, is serialized once instead of once per event file.
    """
    head = cal_bytes(_calendar(site, lang, name))
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):  # pragma: no cover - the library's own format
        raise ValueError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    return b"".join([head[: -len(end)], zone, *(bytes(event.to_ical()) for event in events), end])


def _calendar(site: Site, lang: str, name: str) -> Calendar:
    from icalendar import Calendar, vText

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(name))  # TEXT: its commas and semicolons are escaped like SUMMARY's
    cal.add("x-wr-timezone", vText(site.config.timezone))
    return cal


def _event(site: Site, page: Page) -> Event:
    info = page.event
    assert info is not None
    from icalendar import Event

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
    # clients replace an entry they hold only by a higher SEQUENCE: each step away from the announced event
    # counts, from the content alone, so that every build gives the same number (see SEQUENCE_OF)
    event.add("sequence", SEQUENCE_OF["cancelled" if withdrawn else info.status])
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


def render_calendars(site: Site, catalog: Catalog, lang: str, zone: Timezone | None = None) -> list[OutputFile]:
    """calendar.ics of the upcoming events in ``lang`` and event.ics for each of its events.

    ``zone`` is timezone_component(site), passed in so that it is computed once per build.
    """
    text = zone_ical(zone if zone is not None else timezone_component(site))
    return [render_calendar(site, catalog, lang, text),
            *(render_event_calendar(site, catalog, page, text)
              for page in site.pages if page.lang == lang and page.event is not None)]


def render_calendar(site: Site, catalog: Catalog, lang: str, zone: bytes) -> OutputFile:
    """calendar.ics: the upcoming events in ``lang``; ``zone`` is zone_ical(timezone_component(site))."""
    events = [p for p in site.listings[(lang, "events")] if p.lang == lang and p.event is not None]
    title = f"{catalog.get(lang, 'section.events')} · {site.config.site_title(lang)}"
    upcoming = [_event(site, page) for page in events if event_is_upcoming(page, site.now)]
    return OutputFile(calendar_path(lang).lstrip("/"), _calendar_bytes(site, lang, title, zone, upcoming))


def render_event_calendar(site: Site, catalog: Catalog, page: Page, zone: bytes) -> OutputFile:
    """event.ics beside one event's page."""
    text = _calendar_bytes(site, page.lang, page.title, zone, [_event(site, page)])
    return OutputFile(event_ics_path(page).lstrip("/"), text)

