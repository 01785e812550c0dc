"""Calendars as the clients people use read them (issue 19, "Calendars"): ical.js (Thunderbird's engine, under
node), icalendar and vobject must agree on every event's UTC instant and text, zoneinfo being the truth."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from tests.browser import ICAL_JS, require_node_ical
from tests.conftest import run_build

SCRIPT = Path(__file__).resolve().parent / "js" / "ical_instants.mjs"
NAME = "Veloria Film Week, online; part \\ one"
VENUE = {"name": "Hall; A", "city": "Berlin, Mitte"}


def site_yml(zone: str) -> str:
    return (f'title: {{en: "Embassy, {zone}"}}\nbase_url: "https://embassy.example.org/"\ndefault_language: en\n'
            f"languages:\n  - {{code: en}}\ntimezone: {zone}\n")


def event(start: datetime, status: str = "scheduled", title: str = NAME) -> str:
    end = start + timedelta(hours=2)
    escaped = title.replace("\\", "\\\\")
    return (f'---\ntitle: "{escaped}"\ndate: 2026-11-01\nstart: {start.isoformat()}\nend: {end.isoformat()}\n'
            f'venue: {{name: "{VENUE["name"]}", city: "{VENUE["city"]}"}}\nstatus: {status}\n---\nx\n')


def ical_js(files: list[Path]) -> list[dict[str, object]]:
    node = require_node_ical()
    run = subprocess.run([node, str(SCRIPT), str(ICAL_JS), *map(str, files)], capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    return list(json.loads(run.stdout))


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Santiago", "Australia/Sydney", "Asia/Baku",
                                  "America/New_York"])
def test_every_client_places_every_event_where_zoneinfo_does(make_site: Callable[..., Path], zone: str) -> None:
    """Berlin's summer events were an hour late in ical.js: icalendar wrote one DAYLIGHT with DTSTART + RDATE."""
    tz = ZoneInfo(zone)
    starts = [datetime(year, month, 15, 18, 0, tzinfo=tz) for year in (2027, 2028, 2029) for month in (1, 4, 7, 10)]
    # and two hours each side of every change of offset in 2028 (local times that exist once), where an
    # observance that starts at the wrong instant shows
    hour = datetime(2028, 1, 1, tzinfo=UTC)
    while hour.year == 2028:
        if (hour + timedelta(hours=1)).astimezone(tz).utcoffset() != hour.astimezone(tz).utcoffset():
            starts += [(hour - timedelta(hours=2)).astimezone(tz), (hour + timedelta(hours=3)).astimezone(tz)]
        hour += timedelta(hours=1)
    files = {f"content/events/ev-{i:02}.en.md": event(start.replace(tzinfo=None, fold=0), title=f"Event {i}")
             for i, start in enumerate(starts)}
    root = make_site({"site.yml": site_yml(zone), **files}, base=False)
    assert run_build(root, now=datetime(2026, 11, 23, tzinfo=UTC)).ok
    out = root / "public/en/events"
    ics = sorted(out.glob("ev-*/event.ics"))
    expected = {f"Event {i}": start.astimezone(UTC) for i, start in enumerate(starts)}
    for found in ical_js(ics):
        assert datetime.fromisoformat(str(found["start"]).replace("Z", "+00:00")) == expected[str(found["summary"])], found
    for file in ics:
        data = file.read_bytes()
        [ev] = icalendar.Calendar.from_ical(data).walk("VEVENT")
        assert ev.decoded("dtstart").astimezone(UTC) == expected[str(ev.get("summary"))]
        parsed = vobject.readOne(data.decode("utf-8"))
        assert parsed.vevent.dtstart.value.astimezone(UTC) == expected[parsed.vevent.summary.value], file


def test_text_is_escaped_everywhere_rfc_5545_says(make_site: Callable[..., Path]) -> None:
    """A calendar named "Veloria Film Week, online" read as "Veloria Film Week" in vobject."""
    root = make_site({"site.yml": site_yml("Europe/Berlin"),
                      "content/events/week.en.md": event(datetime(2027, 7, 15, 18, 0))}, base=False)
    assert run_build(root, now=datetime(2026, 11, 23, tzinfo=UTC)).ok
    files = [root / "public/en/events/week/event.ics", root / "public/en/events/calendar.ics"]
    for file in files:
        parsed = vobject.readOne(file.read_text(encoding="utf-8"))
        assert parsed.vevent.summary.value == NAME
        assert parsed.vevent.location.value == "Hall; A, Berlin, Mitte"
        cal = icalendar.Calendar.from_ical(file.read_bytes())
        assert str(cal.walk("VEVENT")[0].get("location")) == "Hall; A, Berlin, Mitte"
    event_calendar = vobject.readOne(files[0].read_text(encoding="utf-8"))
    assert event_calendar.x_wr_calname.value == NAME
    assert vobject.readOne(files[1].read_text(encoding="utf-8")).x_wr_calname.value == "Events · Embassy, Europe/Berlin"
    [found] = [e for e in ical_js(files[:1])]
    assert (found["summary"], found["location"]) == (NAME, "Hall; A, Berlin, Mitte")


def test_a_cancelled_event_has_a_higher_sequence_than_the_announced_one(make_site: Callable[..., Path]) -> None:
    """Clients replace an entry they hold only when SEQUENCE grows: a cancellation kept the old entry."""
    start = datetime(2027, 7, 15, 18, 0)
    root = make_site({"site.yml": site_yml("Europe/Berlin"), "content/events/week.en.md": event(start)}, base=False)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    sequences = []
    for status in ("scheduled", "rescheduled", "cancelled"):
        (root / "content/events/week.en.md").write_text(event(start, status), encoding="utf-8")
        assert run_build(root, now=now).ok
        file = root / "public/en/events/week/event.ics"
        [found] = ical_js([file])
        sequences.append((found["status"], found["sequence"]))
        assert int(icalendar.Calendar.from_ical(file.read_bytes()).walk("VEVENT")[0].get("sequence")) == found["sequence"]
    assert sequences == [("CONFIRMED", 0), ("CONFIRMED", 1), ("CANCELLED", 2)]
