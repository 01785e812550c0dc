// Reads iCalendar files the way Thunderbird does (ical.js) and prints every event's start and end as UTC
// instants, one JSON object per event: {"file", "uid", "summary", "location", "start", "end", "sequence", "status"}.
// Usage: node ical_instants.mjs ICAL_JS_PATH FILE.ics [FILE.ics ...]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [icalPath, ...files] = process.argv.slice(2);
const ICAL = (await import(pathToFileURL(icalPath).href)).default;
const out = [];
for (const file of files) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    const instant = (time) => (time ? time.toJSDate().toISOString() : null);
    out.push({
      file,
      calname: calendar.getFirstPropertyValue("x-wr-calname"),
      uid: event.uid,
      summary: event.summary,
      location: event.location,
      description: event.description,
      start: event.startDate.isDate ? event.startDate.toString() : instant(event.startDate),
      end: event.endDate ? (event.endDate.isDate ? event.endDate.toString() : instant(event.endDate)) : null,
      sequence: event.sequence,
      status: component.getFirstPropertyValue("status"),
    });
  }
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.remove(zone.getFirstPropertyValue("tzid"));
  }
}
process.stdout.write(JSON.stringify(out));
