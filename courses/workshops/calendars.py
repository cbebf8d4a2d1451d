"""iCalendar (RFC 5545) for workshop sessions: one .ics per session, personal feeds, email invitations.

Each part of a session is one VEVENT whose UID is built from the session's fixed ``uid`` and the
part's id, so it never changes when the session is edited. SEQUENCE is the session's revision
(plus, for a learner, their registration's), which every change raises.

Times are written in the session's own time zone (``DTSTART;TZID=Europe/Lisbon:...``), so clients
keep the event's zone (shown in its details, used when it is edited or moved), with a VTIMEZONE we
write ourselves from the zone database rather than a generated history of the zone since 1970.
Readers do not agree on such a history: one long list of rules with many RDATEs and overlapping
STANDARD/DAYLIGHT blocks made vobject and ical.js put a Lisbon session an hour early while
icalendar (which goes by the zone's name) read it right. Ours states only facts no reader can
take two ways: one block giving the offset in force a year before the first time that refers to
the zone, then one block per change of offset up to a year after the last, each a single DTSTART
with its offsets, no RRULE or RDATE to expand. tests/courses/workshops/test_calendar_clients.py
reads every calendar we produce with icalendar, vobject and ical.js and checks all three against
the stored instants.

A local time with TZID names one instant only when that wall time happens once in the zone. After a
fall-back (New York 2026-11-01, Lisbon 2026-10-25, Lord Howe's 30-minute change) the repeated wall
time is ambiguous: RFC 5545 (3.3.5) reads it as the first occurrence, and not every client follows
it. A part whose start or end wall time is ambiguous (or non-existent) is therefore written in
UTC (``DTSTART:20261101T063000Z``), both ends alike, which every reader takes the same way.

ORGANIZER is the session's first instructor (their name and address), the site's address only when
the session has none. METHOD says what the file is: PUBLISH for the session's own file (no
attendees), REQUEST or CANCEL for an email's invitation (the learner as ATTENDEE), none for a
personal feed (a calendar a client subscribes to, not a scheduling message; its owner is ATTENDEE).
"""
from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.utils import timezone

from courses.workshops.models import WorkshopSession

PRODID = "-//Empathy LMS//Workshops//EN"
ZONE_MARGIN = timedelta(days=366)  # how far the VTIMEZONE reaches beyond the times that refer to it


@dataclass(frozen=True)
class SessionEntry:
    """One session as one person's calendar sees it."""

    session: WorkshopSession
    sequence: int
    cancelled: bool  # the session, or this person's place in it
    attendee_email: str | None = None
    attendee_name: str | None = None


def uid_domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "empathy-lms.local"


def part_uid(session: WorkshopSession, part_id: int) -> str:
    return f"workshop-{session.uid}-{part_id}@{uid_domain()}"


def _organizer(session: WorkshopSession) -> icalendar.vCalAddress:
    """The session's first instructor; the site's own address when the session has none."""
    instructors = sorted(session.instructors.all(), key=lambda user: user.pk)
    if instructors:
        name, email = instructors[0].display_name, instructors[0].email
    else:
        name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


def _is_ambiguous(instant: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Whether the wall time of ``instant`` in ``tz`` happens twice (or never): then its two
    readings, first and second occurrence, have different offsets."""
    wall = instant.astimezone(tz).replace(tzinfo=None)
    return wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()


def _times(starts_at: datetime, ends_at: datetime, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end as they are written: in the session's zone, or both in UTC when either is
    ambiguous there (module docstring)."""
    zone = UTC if _is_ambiguous(starts_at, tz) or _is_ambiguous(ends_at, tz) else tz
    return starts_at.astimezone(zone), ends_at.astimezone(zone)


# --- VTIMEZONE -------------------------------------------------------------------------------

def _offset(tz: zoneinfo.ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(tz).utcoffset() or timedelta(0)


def _changes(tz: zoneinfo.ZoneInfo, since: datetime, until: datetime) -> list[datetime]:
    """Each instant in [since, until] from which the zone's UTC offset differs (to the second):
    day by day, then halving the day in which the offset moved."""
    found = []
    day = since
    while day < until:
        after = min(day + timedelta(days=1), until)
        if _offset(tz, after) != _offset(tz, day):
            low, high = day, after
            while high - low > timedelta(seconds=1):
                middle = (low + (high - low) / 2).replace(microsecond=0)
                low, high = (middle, high) if _offset(tz, middle) == _offset(tz, low) else (low, middle)
            found.append(high)
        day = after
    return found


def _observance(tz: zoneinfo.ZoneInfo, instant: datetime, before: timedelta) -> icalendar.Component:
    """One STANDARD or DAYLIGHT block: from ``instant`` on, the offset is the zone's; its DTSTART
    is the wall time just before, in the offset it replaces (RFC 5545 3.6.5)."""
    local = instant.astimezone(tz)
    block = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    block.add("dtstart", (instant + before).replace(tzinfo=None))
    block.add("tzoffsetfrom", before)
    block.add("tzoffsetto", _offset(tz, instant))
    if local.tzname():
        block.add("tzname", local.tzname())
    return block


def vtimezone(name: str, instants: Iterable[datetime]) -> icalendar.Timezone:
    """The VTIMEZONE of zone ``name`` covering ``instants`` (module docstring): the offset in force
    a margin before the first, then every change up to a margin after the last."""
    tz = zoneinfo.ZoneInfo(name)
    moments = sorted(instant.astimezone(UTC) for instant in instants)
    # Whole seconds at both ends, so halving a day in _changes always ends on a whole second.
    since, until = (moments[0] - ZONE_MARGIN).replace(microsecond=0), (moments[-1] + ZONE_MARGIN).replace(microsecond=0)
    component = icalendar.Timezone()
    component.add("tzid", name)
    component.add_component(_observance(tz, since, _offset(tz, since)))
    for change in _changes(tz, since, until):
        component.add_component(_observance(tz, change, _offset(tz, change - timedelta(seconds=1))))
    return component


# --- events ----------------------------------------------------------------------------------

def _events(entry: SessionEntry, stamp) -> list[icalendar.Event]:
    session = entry.session
    tz = zoneinfo.ZoneInfo(session.timezone)
    parts = list(session.parts.all())
    location = session.venue or session.online_url
    description_lines = [session.workshop.description.strip()] if session.workshop.description.strip() else []
    if session.online_url:
        description_lines.append(f"Join online: {session.online_url}")
    organizer = _organizer(session)
    events = []
    for number, part in enumerate(parts, start=1):
        event = icalendar.Event()
        event.add("uid", part_uid(session, part.pk))
        event.add("dtstamp", stamp)
        starts_at, ends_at = _times(part.starts_at, part.ends_at, tz)
        event.add("dtstart", starts_at)
        event.add("dtend", ends_at)
        title = session.display_title
        event.add("summary", f"{title} ({number}/{len(parts)})" if len(parts) > 1 else title)
        if description_lines:
            event.add("description", "\n".join(description_lines))
        if location:
            event.add("location", location)
        if session.online_url:
            event.add("url", session.online_url)
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("organizer", organizer)
        if entry.attendee_email:
            event.add("attendee", f"mailto:{entry.attendee_email}", parameters={
                "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "DECLINED" if entry.cancelled else "ACCEPTED",
                "CUTYPE": "INDIVIDUAL", **({"CN": entry.attendee_name} if entry.attendee_name else {})})
        events.append(event)
    return events


def _zones(events: list[icalendar.Event]) -> list[icalendar.Timezone]:
    """A VTIMEZONE for each zone some DTSTART or DTEND still names, covering the times that name it."""
    by_zone: dict[str, list[datetime]] = {}
    for event in events:
        for name in ("dtstart", "dtend"):
            value = event.decoded(name)
            zone = getattr(value.tzinfo, "key", None)
            if zone is not None:
                by_zone.setdefault(zone, []).append(value)
    return [vtimezone(zone, instants) for zone, instants in sorted(by_zone.items())]


def build_calendar(entries: Iterable[SessionEntry], *, method: str | None = None, name: str | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    events = [event for entry in entries for event in _events(entry, stamp)]
    for component in [*_zones(events), *events]:
        calendar.add_component(component)
    return calendar.to_ical()


def session_ics(session: WorkshopSession) -> bytes:
    """The session as published: its own SEQUENCE, CANCELLED if the session is; no attendee."""
    return build_calendar([SessionEntry(session=session, sequence=session.sequence,
                                        cancelled=session.status == WorkshopSession.Status.CANCELLED)],
                          method="PUBLISH")


def feed_ics(entries: Iterable[SessionEntry]) -> bytes:
    """A person's feed: a calendar to subscribe to, so no METHOD (module docstring)."""
    return build_calendar(entries, name="Empathy LMS workshops")
