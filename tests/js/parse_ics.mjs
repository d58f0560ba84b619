// Parse an iCalendar file with Mozilla's ical.js (an independent parser) and
// print its calendar properties and events as JSON, for tests/test_calendar.py.
//
//   node tests/js/parse_ics.mjs file.ics
//
// Times with a TZID are resolved through the file's own VTIMEZONE components
// (ical.js has no time-zone database of its own), so the UTC instants printed
// here check the VTIMEZONE as much as the events.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}

function time(value) {
  if (!value) return null;
  if (value.isDate) return { date: true, local: value.toString(), tzid: null, utc: null };
  const utc = value.convertToZone(ICAL.Timezone.utcTimezone);
  const zone = value.zone ? value.zone.tzid : null;
  return { date: false, local: value.toString().replace(/Z$/, ""), tzid: zone, utc: utc.toString() };
}

// A series' occurrences as ical.js expands its RRULE and EXDATEs (at most 2,000).
function occurrences(event) {
  if (!event.isRecurring()) return null;
  const found = [];
  const iterator = event.iterator();
  for (let next = iterator.next(); next && found.length < 2000; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    found.push({ start: time(details.startDate), end: time(details.endDate) });
  }
  return found;
}

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const hasEnd = component.hasProperty("dtend");
  return {
    occurrences: occurrences(event),
    uid: event.uid,
    summary: event.summary,
    status: component.getFirstPropertyValue("status"),
    location: event.location,
    url: component.getFirstPropertyValue("url"),
    description: event.description,
    sequence: event.sequence,
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    start: time(event.startDate),
    end: hasEnd ? time(event.endDate) : null,
    dtstamp: time(component.getFirstPropertyValue("dtstamp")),
    lastModified: time(component.getFirstPropertyValue("last-modified")),
  };
});

const output = {
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  refresh: String(calendar.getFirstPropertyValue("refresh-interval") ?? ""),
  timezones: calendar.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid")),
  events,
};
process.stdout.write(JSON.stringify(output, null, 2) + "\n");
