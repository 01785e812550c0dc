"""iCalendar files (generator/calendars.py): parsed with icalendar; UIDs, DTSTAMP, VTIMEZONE, CRLF, octet folding."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import icalendar

from tests.conftest import run_build
from tests.machine import ics_files


# ------------------------------------------------------------------ calendars
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


