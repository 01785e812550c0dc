"""generator/calendars.py called directly on a Site assembled from hand-made event Pages, parsed with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from generator.assembly.site import assemble
from generator.core.model import EventInfo, Language, Page, Site, SiteConfig, Venue
from generator.core.zones import zone_source
from generator.outputs.calendars import event_uid, render_calendars, timezone_component, zone_years
from generator.sources.i18n import Catalog, load_catalog
from generator.sources.theme import builtin_themes_dir
from tests.conftest import NOW

LANGUAGES = (Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    found, _ = load_catalog([builtin_themes_dir() / "default" / "i18n"], Path("."), ["en", "ar"], "en")
    return found


def event(slug: str, start: datetime, lang: str = "en", **info: object) -> Page:
    return Page(source=f"content/events/{slug}.{lang}.md", section="events", slug=slug, lang=lang, title=slug.title(),
                body_html="<p>x</p>", source_hash="h", date=datetime(2026, 11, 1, tzinfo=UTC),
                event=EventInfo(start=start, end=info.pop("end", None), **info))  # type: ignore[arg-type]


def make_site(pages: list[Page], timezone: str = "Asia/Baku", now: datetime = NOW, fallback: bool = False) -> Site:
    config = SiteConfig(title={"en": "Embassy", "ar": "سفارة"}, base_url="https://embassy.example.org/",
                        default_language="en", languages=LANGUAGES, timezone=timezone, fallback_to_default=fallback)
    return assemble(pages, config, now)[0]


def parsed(site: Site, catalog: Catalog, lang: str) -> dict[str, icalendar.Calendar]:
    return {out.path: icalendar.Calendar.from_ical(out.data or b"") for out in render_calendars(site, catalog, lang)}


def test_event_uid_is_stable_and_per_language() -> None:
    en, ar = event("gala", datetime(2026, 12, 1, tzinfo=UTC)), event("gala", datetime(2026, 12, 1, tzinfo=UTC), lang="ar")
    site = make_site([en, ar])
    assert event_uid(site, en) == "events-gala-en@embassy.example.org"
    assert event_uid(site, ar) == "events-gala-ar@embassy.example.org"
    edited = event("gala", datetime(2026, 12, 2, tzinfo=UTC))
    assert event_uid(make_site([edited], now=NOW + timedelta(days=5)), edited) == event_uid(site, en)


def test_timezone_component_covers_the_years_of_the_events() -> None:
    assert timezone_component(make_site([])) is None
    site = make_site([event("a", datetime(2026, 12, 1, tzinfo=UTC)),
                      event("b", datetime(2027, 5, 1, tzinfo=UTC), end=datetime(2028, 6, 1, tzinfo=UTC))], "Europe/Berlin")
    zone = timezone_component(site)
    assert zone is not None and zone["TZID"] == "Europe/Berlin"
    summer = []
    for part in zone.walk("DAYLIGHT"):
        rdates = part.get("RDATE")
        summer += [part["DTSTART"].dt, *(d.dt for d in (rdates.dts if rdates else []))]
    assert sorted(m.date() for m in summer) == [date(2026, 3, 29), date(2027, 3, 28), date(2028, 3, 26)]


def test_calendar_has_only_upcoming_events_of_its_language_and_one_file_per_event(catalog: Catalog) -> None:
    site = make_site([event("soon", datetime(2026, 12, 1, tzinfo=UTC)), event("past", datetime(2026, 10, 1, tzinfo=UTC)),
                      event("soon", datetime(2026, 12, 1, tzinfo=UTC), lang="ar"),
                      event("solo", datetime(2026, 12, 2, tzinfo=UTC))], fallback=True)  # listed in Arabic too, in English
    files = parsed(site, catalog, "en")
    assert set(files) == {"en/events/calendar.ics", "en/events/soon/event.ics", "en/events/past/event.ics",
                          "en/events/solo/event.ics"}
    assert [str(e["SUMMARY"]) for e in files["en/events/calendar.ics"].walk("VEVENT")] == ["Soon", "Solo"]
    assert [str(e["SUMMARY"]) for e in files["en/events/past/event.ics"].walk("VEVENT")] == ["Past"]
    arabic = parsed(site, catalog, "ar")
    assert set(arabic) == {"ar/events/calendar.ics", "ar/events/soon/event.ics"}
    assert [str(e["UID"]) for e in arabic["ar/events/calendar.ics"].walk("VEVENT")] == ["events-soon-ar@embassy.example.org"]
    assert str(arabic["ar/events/calendar.ics"]["X-WR-CALNAME"]) == "الفعاليات · سفارة"


def test_cancelled_timed_and_all_day_events(catalog: Catalog) -> None:
    site = make_site([
        event("off", datetime(2026, 12, 1, 15, tzinfo=UTC), end=datetime(2026, 12, 1, 17, tzinfo=UTC), status="cancelled",
              venue=Venue(name="Hall", city="Baku")),
        event("fair", datetime(2026, 12, 20, tzinfo=UTC), end=datetime(2026, 12, 21, 12, tzinfo=UTC), all_day=True),
    ])
    files = parsed(site, catalog, "en")
    off = next(iter(files["en/events/off/event.ics"].walk("VEVENT")))
    assert off["STATUS"] == "CANCELLED" and str(off["LOCATION"]) == "Hall, Baku"
    assert off["DTSTART"].params["TZID"] == "Asia/Baku" and off["DTSTART"].dt.hour == 19  # 15:00 UTC in Baku
    assert off["DTEND"].dt.hour == 21 and off["DTSTAMP"].dt == datetime(2026, 11, 1, tzinfo=UTC)
    fair = next(iter(files["en/events/fair/event.ics"].walk("VEVENT")))
    assert fair["STATUS"] == "CONFIRMED"
    assert fair["DTSTART"].params.get("VALUE") == "DATE" and fair["DTEND"].params.get("VALUE") == "DATE"
    assert (fair["DTSTART"].dt, fair["DTEND"].dt) == (date(2026, 12, 20), date(2026, 12, 22))  # DTEND is exclusive
    assert {str(e["UID"]) for e in files["en/events/calendar.ics"].walk("VEVENT")} == {
        "events-off-en@embassy.example.org", "events-fair-en@embassy.example.org"}


def test_all_day_event_stays_in_the_calendar_on_its_day(catalog: Catalog) -> None:
    start = datetime.fromisoformat("2026-12-22T00:00:00+04:00")
    site = make_site([event("open-day", start, all_day=True)], now=datetime.fromisoformat("2026-12-22T08:00:00+04:00"))
    assert len(parsed(site, catalog, "en")["en/events/calendar.ics"].walk("VEVENT")) == 1


@pytest.mark.parametrize("timezone", ["Asia/Baku", "Europe/Berlin", "UTC"])
def test_spliced_calendars_are_the_bytes_icalendar_writes_for_the_whole_calendar(catalog: Catalog, timezone: str) -> None:
    """The zone is serialized once and placed in each file: the result must equal the library's own
    serialization of a Calendar holding the zone and the events as components."""
    from generator.outputs import calendars

    pages = [event("gala", datetime(2026, 12, 1, 19, tzinfo=UTC), end=datetime(2026, 12, 1, 23, tzinfo=UTC)),
             event("fair", datetime(2027, 7, 4, tzinfo=UTC), all_day=True, venue=Venue("Hall", "1 Long Street " * 9)),
             event("talk", datetime(2026, 12, 3, 10, tzinfo=UTC), status="cancelled")]
    site = make_site(pages, timezone=timezone)
    zone = timezone_component(site)
    outputs = {out.path: out.data for out in render_calendars(site, catalog, "en", zone)}
    assert len(outputs) == 4

    def whole(name: str, events: list[Page]) -> bytes:
        cal = calendars._calendar(site, "en", name)
        if zone is not None:
            cal.add_component(zone)
        for page in events:
            cal.add_component(calendars._event(site, page))
        return bytes(cal.to_ical())

    upcoming = [p for p in site.listings[("en", "events")] if p.event is not None]
    assert outputs["en/events/calendar.ics"] == whole("Events · Embassy", upcoming)
    for page in site.pages:
        assert outputs[f"{page.url.lstrip('/')}event.ics"] == whole(page.title, [page])


def test_the_vtimezone_is_made_from_the_rules_it_is_given() -> None:
    """Made from the bytes the renderer digested, not from a zone zoneinfo cached earlier in the process."""
    site = make_site([event("gala", datetime(2026, 12, 1, tzinfo=UTC))], "Asia/Baku")
    own = timezone_component(site)
    oslo = timezone_component(site, zone_source("Europe/Oslo")[1])
    assert own is not None and oslo is not None
    assert b"TZID:Asia/Baku" in own.to_ical() and b"TZID:Asia/Baku" in oslo.to_ical()
    assert b"TZOFFSETTO:+0400" in own.to_ical() and b"TZOFFSETTO:+0100" in oslo.to_ical()
    assert zone_years(site) == (2026, 2026) and zone_years(make_site([])) is None

