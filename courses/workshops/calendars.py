"""iCalendar (RFC 5545) for workshop sessions: one .ics per session, personal feeds, email invitations.

Each part of a session is one VEVENT whose UID is built from the session's fixed ``uid`` and the
part's id, so it never changes when the session is edited. Times are written in the session's
own time zone (``DTSTART;TZID=...``) with a matching VTIMEZONE, so a calendar shows the right
local time on both sides of a daylight-saving change. SEQUENCE is the session's revision (plus,
for a learner, their registration's), which every change raises.

A local time with TZID names one instant only when that wall time happens once in the zone. After a
fall-back (New York 2026-11-01, Lisbon 2026-10-25, Lord Howe's 30-minute change, any drop of a
zone's offset) the repeated wall time is ambiguous: RFC 5545 (3.3.5) reads it as the first
occurrence (no parameter can say otherwise), so a part in the second occurrence would show 30 or
60 minutes early. A part whose start or end wall time is ambiguous (or non-existent, which a
converted instant never is, but the rule is the same) is therefore written in UTC
(``DTSTART:20261101T063000Z``), the first occurrence too since clients do not all follow the RFC
there, and both ends alike so an event never mixes forms: every client reads a UTC value the same
way. All other parts keep TZID rather than going to UTC throughout: clients keep the event's zone
(shown in its details, used when it is edited, moved or repeated), and calendars that were right
stay unchanged. A VTIMEZONE is added only for the zones some time still refers to.
"""
from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.utils import timezone

from courses.workshops.models import WorkshopSession

PRODID = "-//Empathy LMS//Workshops//EN"


@dataclass(frozen=True)
class SessionEntry:
    """One session as one person's calendar sees it."""

    session: WorkshopSession
    sequence: int
    cancelled: bool  # the session, or this person's place in it
    attendee_email: str | None = None


def uid_domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "empathy-lms.local"


def part_uid(session: WorkshopSession, part_id: int) -> str:
    return f"workshop-{session.uid}-{part_id}@{uid_domain()}"


def _organizer() -> str:
    address = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
    return address.rsplit("<", 1)[-1].rstrip(">") if "<" in address else address


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


def _events(entry: SessionEntry, stamp) -> list[icalendar.Event]:
    session = entry.session
    tz = zoneinfo.ZoneInfo(session.timezone)
    parts = list(session.parts.all())
    location = session.venue or session.online_url
    description_lines = [session.workshop.description.strip()] if session.workshop.description.strip() else []
    if session.online_url:
        description_lines.append(f"Join online: {session.online_url}")
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
        event.add("organizer", f"mailto:{_organizer()}")
        if entry.attendee_email:
            event.add("attendee", f"mailto:{entry.attendee_email}", parameters={
                "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "DECLINED" if entry.cancelled else "ACCEPTED",
                "CUTYPE": "INDIVIDUAL"})
        events.append(event)
    return events


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
    for entry in entries:
        for event in _events(entry, stamp):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_ics(session: WorkshopSession) -> bytes:
    """The session as published: its own SEQUENCE, CANCELLED if the session is."""
    return build_calendar([SessionEntry(session=session, sequence=session.sequence,
                                        cancelled=session.status == WorkshopSession.Status.CANCELLED)],
                          method="PUBLISH")
