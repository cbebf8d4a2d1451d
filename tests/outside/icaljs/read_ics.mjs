// Reads one iCalendar file with Mozilla's ical.js and prints what a calendar client would take
// from it, as JSON on stdout: the calendar's METHOD and, for each VEVENT, its UID, SEQUENCE and
// start and end as UTC instants (ISO 8601). Usage: node read_ics.mjs FILE (or "-" for stdin).
// Times are resolved the way ical.js does for a client: a TZID is looked up in the file's own
// VTIMEZONE components, a value ending in Z is UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const source = process.argv[2];
const text = readFileSync(!source || source === "-" ? 0 : source, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));

function instant(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value ? value.toJSDate().toISOString() : null;
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const sequence = vevent.getFirstPropertyValue("sequence");
  return {
    uid: vevent.getFirstPropertyValue("uid"),
    sequence: sequence === null ? null : Number(sequence),
    start: instant(vevent, "dtstart"),
    end: instant(vevent, "dtend"),
  };
});
process.stdout.write(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }) + "\n");
