// Reads iCalendar files with Mozilla's ical.js and prints what a calendar client would take from
// each, as one JSON line per file: the calendar's METHOD and, for each VEVENT, its UID, SEQUENCE
// and start and end as UTC instants (ISO 8601). Usage: node read_ics.mjs FILE... ("-": stdin).
// Times are resolved the way ical.js does for a client: a TZID is looked up in the file's own
// VTIMEZONE components, a value ending in Z is UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function instant(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value ? value.toJSDate().toISOString() : null;
}

function read(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const sequence = vevent.getFirstPropertyValue("sequence");
    return {
      uid: vevent.getFirstPropertyValue("uid"),
      sequence: sequence === null ? null : Number(sequence),
      start: instant(vevent, "dtstart"),
      end: instant(vevent, "dtend"),
    };
  });
  return { method: calendar.getFirstPropertyValue("method"), events };
}

const sources = process.argv.slice(2);
for (const source of sources.length ? sources : ["-"]) {
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  process.stdout.write(JSON.stringify(read(text)) + "\n");
}
