"""Every calendar we produce, read by three parsers nobody here wrote: icalendar (Python), vobject
(Python, which reads the file's VTIMEZONE through dateutil) and ical.js (Mozilla's JavaScript
parser, run with node from tests/outside/icaljs/). All three must find the stored UTC instants.

For each of five zones (two northern and one southern daylight-saving zone, Lord Howe's half-hour
change among them, and two zones without daylight saving), one session has parts on both sides of
the zone's next two changes of offset, right before and right after each change. Its learners go
through booking, the waitlist, a reschedule, cancelling and a promotion, and the session is
cancelled: the session file, the personal feed and every mail's calendar part are read three ways.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
import vobject.icalendar
from django.conf import settings
from django.utils import timezone

from courses.workshops.calendars import part_uid, session_ics, vtimezone
from courses.workshops.errors import WorkshopConflict
from courses.workshops.models import WorkshopEmail, WorkshopSession
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from tests.courses.workshops.conftest import course_of, enrolled, make_session, make_workshop
from tests.courses.workshops.test_calendar_dst import in_memory_session

pytestmark = pytest.mark.django_db
ICALJS = Path(settings.BASE_DIR) / "tests/outside/icaljs"
ZONES = ["Europe/Lisbon", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Kolkata", "America/New_York"]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None,
                                reason="node is not installed, so ical.js (tests/outside/icaljs) cannot run")

Event = tuple[str, int, datetime, datetime]  # UID, SEQUENCE, start and end in UTC
Reading = tuple[str | None, list[Event]]  # METHOD and the events


# --- the three readers -----------------------------------------------------------------------

def by_icalendar(ics: bytes) -> Reading:
    calendar = icalendar.Calendar.from_ical(ics)
    method = str(calendar["METHOD"]) if "METHOD" in calendar else None
    return method, [(str(event["UID"]), int(event["SEQUENCE"]), event.decoded("DTSTART").astimezone(UTC),
                     event.decoded("DTEND").astimezone(UTC)) for event in calendar.walk("VEVENT")]


def by_vobject(ics: bytes) -> Reading:
    # vobject keeps the first definition of a TZID for the whole process: forget earlier files, as a
    # client opening only this one would.
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(ics.decode())
    method = calendar.method.value if hasattr(calendar, "method") else None
    events = getattr(calendar, "vevent_list", [])
    return method, [(event.uid.value, int(event.sequence.value), event.dtstart.value.astimezone(UTC),
                     event.dtend.value.astimezone(UTC)) for event in events]


def by_icaljs(files: list[bytes], folder: Path) -> list[Reading]:
    paths = []
    for number, ics in enumerate(files):
        path = folder / f"calendar-{number}.ics"
        path.write_bytes(ics)
        paths.append(str(path))
    assert NODE is not None
    done = subprocess.run([NODE, str(ICALJS / "read_ics.mjs"), *paths], cwd=ICALJS,  # noqa: S603 - our script
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"ical.js failed (did `make install-dev` run npm ci?): {done.stderr}"
    readings = []
    for line in done.stdout.splitlines():
        found = json.loads(line)
        readings.append((found["method"], [(event["uid"], event["sequence"], datetime.fromisoformat(event["start"]),
                                            datetime.fromisoformat(event["end"])) for event in found["events"]]))
    return readings


def read_three_ways(files: list[bytes], folder: Path) -> list[Reading]:
    """Each file as the three parsers read it, after checking that they agree."""
    readings = []
    for ics, js in zip(files, by_icaljs(files, folder), strict=True):
        python = by_icalendar(ics)
        assert by_vobject(ics) == python, f"vobject and icalendar differ on\n{ics.decode()}"
        assert js == python, f"ical.js and icalendar differ on\n{ics.decode()}"
        readings.append(python)
    return readings


# --- the sessions ----------------------------------------------------------------------------

def offset_changes(zone: str, since: datetime, count: int = 2) -> list[datetime]:
    """The first instants after ``since`` at which the zone's UTC offset changes (day by day, then
    minute by minute through the day it changed in), at most ``count``, within two years."""
    tz = zoneinfo.ZoneInfo(zone)

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(tz).utcoffset()

    found: list[datetime] = []
    day = since
    while len(found) < count and day < since + timedelta(days=730):
        if offset(day + timedelta(days=1)) != offset(day):
            minute = day
            while offset(minute + timedelta(minutes=1)) == offset(day):
                minute += timedelta(minutes=1)
            found.append(minute + timedelta(minutes=1))
        day += timedelta(days=1)
    return found


def planned_parts(zone: str) -> list[tuple[datetime, datetime]]:
    """Parts on both sides of the zone's next two changes: a day before, just before, just after
    (in the repeated wall time after a fall-back), a day after. Spread over a year without changes."""
    since = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    changes = offset_changes(zone, since)
    if not changes:
        return [(since + timedelta(days=days), since + timedelta(days=days, hours=2)) for days in (20, 140, 200, 330)]
    parts = []
    for change in changes:
        parts += [(change - timedelta(days=1, hours=3), change - timedelta(days=1, hours=1)),
                  (change - timedelta(minutes=40), change - timedelta(minutes=25)),
                  (change + timedelta(minutes=10), change + timedelta(minutes=25)),
                  (change + timedelta(days=1), change + timedelta(days=1, hours=2))]
    return parts


def test_the_zones_change_offsets_as_the_tests_expect():
    since = datetime(2026, 12, 1, tzinfo=UTC)
    assert offset_changes("Europe/Lisbon", since) == [datetime(2027, 3, 28, 1, tzinfo=UTC),
                                                      datetime(2027, 10, 31, 1, tzinfo=UTC)]
    assert offset_changes("Australia/Lord_Howe", since) == [datetime(2027, 4, 3, 15, tzinfo=UTC),
                                                            datetime(2027, 10, 2, 15, 30, tzinfo=UTC)]
    assert offset_changes("America/New_York", since)[0] == datetime(2027, 3, 14, 7, tzinfo=UTC)
    assert offset_changes("America/Sao_Paulo", since) == offset_changes("Asia/Kolkata", since) == []


def deliver() -> None:
    """Send every logged mail as the task would, checking that a second send is refused."""
    for email_id in WorkshopEmail.objects.filter(sent_at__isnull=True).order_by("id").values_list("pk", flat=True):
        assert workshop_mail.workshop_email_send(email_id=email_id) is True
        assert workshop_mail.workshop_email_send(email_id=email_id) is False


def calendar_parts(message) -> list[bytes]:
    """The text/calendar parts of a sent mail, wherever they sit in its MIME tree."""
    return [part.get_payload(decode=True) for part in message.message().walk()
            if part.get_content_type() == "text/calendar"]


def expected(session: WorkshopSession, sequence: int, times: list[tuple[datetime, datetime]]) -> list[Event]:
    parts = list(session.parts.order_by("starts_at", "id"))
    return [(part_uid(session, part.pk), sequence, start, end) for part, (start, end) in zip(parts, times, strict=True)]


@needs_node
@pytest.mark.parametrize("zone", ZONES)
def test_every_calendar_reads_alike_in_three_parsers(zone, workshop, instructor, client_for, api_client, mailoutbox,
                                                     tmp_path):
    course = course_of(workshop)
    first, second = enrolled(course), enrolled(course)
    times = planned_parts(zone)
    session = make_session(workshop, timezone=zone, venue="Room 1", capacity=1,
                           parts=[{"starts_at": start, "ends_at": end} for start, end in times])
    registration, _ = workshop_sessions.registration_create(session=session, user=first)
    workshop_sessions.registration_create(session=session, user=second)  # waitlisted
    deliver()
    session_file = client_for(instructor).get(f"/api/v1/workshops/sessions/{session.pk}/ics/").content
    feed_url = client_for(first).post("/api/v1/workshops/calendar-feed/").json()["url"]
    feed = api_client.get(feed_url.split("127.0.0.1:8000", 1)[-1]).content

    moved = [(start + timedelta(days=1), end + timedelta(days=1)) for start, end in times]
    response = client_for(instructor).patch(f"/api/v1/workshops/sessions/{session.pk}/", {"parts": [
        {"id": part.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat()}
        for part, (start, end) in zip(session.parts.order_by("starts_at", "id"), moved, strict=True)]}, format="json")
    assert response.status_code == 200
    deliver()
    workshop_sessions.registration_cancel(registration=registration, actor=first)  # the waitlist moves up
    deliver()
    workshop_sessions.session_cancel(session=session)
    deliver()

    emails = list(WorkshopEmail.objects.order_by("id"))
    assert [(email.to, email.kind) for email in emails] == [
        (first.email, "booked"), (first.email, "rescheduled"), (first.email, "cancelled"),
        (second.email, "promoted"), (second.email, "session_cancelled")]
    assert [message.to for message in mailoutbox] == [[email.to] for email in emails]
    mail_parts = [calendar_parts(message) for message in mailoutbox]
    assert all(len(found) == 1 for found in mail_parts), "each mail carries one calendar"
    readings = read_three_ways([session_file, feed, *[found[0] for found in mail_parts]], tmp_path)

    assert readings[0] == ("PUBLISH", expected(session, 0, times))
    assert readings[1] == (None, expected(session, 1, times))
    booked, rescheduled, cancelled, promoted, session_cancelled = readings[2:]
    assert booked == ("REQUEST", expected(session, emails[0].sequence, times))
    # The reschedule updates the same events: same UIDs, a higher SEQUENCE, the new times.
    assert rescheduled == ("REQUEST", expected(session, emails[1].sequence, moved))
    assert emails[1].sequence > emails[0].sequence
    assert cancelled == ("CANCEL", expected(session, emails[2].sequence, moved))
    assert emails[2].sequence > emails[1].sequence
    assert promoted == ("REQUEST", expected(session, emails[3].sequence, moved))
    assert session_cancelled == ("CANCEL", expected(session, emails[4].sequence, moved))
    assert emails[4].sequence > emails[3].sequence


# --- who is on the invitation ----------------------------------------------------------------

def test_organizer_is_the_instructor_and_attendee_the_learner(session, learners, instructor, client_for, api_client,
                                                              mailoutbox):
    workshop_sessions.registration_create(session=session, user=learners[0])
    deliver()
    (invitation,) = calendar_parts(mailoutbox[0])
    feed_url = client_for(learners[0]).post("/api/v1/workshops/calendar-feed/").json()["url"]
    feed = api_client.get(feed_url.split("127.0.0.1:8000", 1)[-1]).content
    session_file = client_for(instructor).get(f"/api/v1/workshops/sessions/{session.pk}/ics/").content
    for ics in (invitation, feed, session_file):
        for event in icalendar.Calendar.from_ical(ics).walk("VEVENT"):
            assert str(event["ORGANIZER"]) == f"mailto:{instructor.email}"
            assert event["ORGANIZER"].params["CN"] == instructor.display_name
    for ics in (invitation, feed):
        (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert str(event["ATTENDEE"]) == f"mailto:{learners[0].email}"
    (event,) = icalendar.Calendar.from_ical(session_file).walk("VEVENT")
    assert "ATTENDEE" not in event  # the published file is nobody's invitation


def test_without_an_instructor_the_site_organizes(db, settings):
    settings.DEFAULT_FROM_EMAIL = "Empathy LMS <workshops@example.org>"
    session = make_session(make_workshop(instructors=[]))
    assert not session.instructors.exists()
    (event,) = icalendar.Calendar.from_ical(session_ics(session)).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:workshops@example.org"
    assert event["ORGANIZER"].params["CN"] == "Empathy LMS"


# --- which changes send an update ------------------------------------------------------------

def test_moving_the_place_sends_the_booked_learners_an_update(session, learners, mailoutbox):
    workshop_sessions.registration_create(session=session, user=learners[0])
    workshop_sessions.registration_create(session=session, user=learners[1])
    workshop_sessions.registration_create(session=session, user=learners[2])  # waitlisted (capacity 2)
    deliver()
    mailoutbox.clear()
    workshop_sessions.session_update(session=session, venue="Room 9")
    rescheduled = WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED)
    assert sorted(rescheduled.values_list("to", flat=True)) == sorted([learners[0].email, learners[1].email])
    deliver()
    assert sorted(message.to[0] for message in mailoutbox) == sorted([learners[0].email, learners[1].email])
    (invitation,) = calendar_parts(mailoutbox[0])
    (event,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert str(event["LOCATION"]) == "Room 9"
    assert "Room 9" in mailoutbox[0].body


def test_changing_only_other_fields_sends_nothing(session, learners, mailoutbox):
    workshop_sessions.registration_create(session=session, user=learners[0])
    deliver()
    part = session.parts.get()
    workshop_sessions.session_update(session=session, capacity=5, cancellation_cutoff_hours=2, waitlist_enabled=False,
                                     parts=[{"id": part.pk, "starts_at": part.starts_at, "ends_at": part.ends_at}])
    assert not WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED).exists()
    deliver()
    assert len(mailoutbox) == 1  # the booking only


def test_each_reschedule_is_its_own_update_sent_once(session, learners, mailoutbox):
    workshop_sessions.registration_create(session=session, user=learners[0])
    part = session.parts.get()
    for hours in (1, 2):
        workshop_sessions.session_update(session=session, parts=[{
            "id": part.pk, "starts_at": part.starts_at + timedelta(hours=hours),
            "ends_at": part.ends_at + timedelta(hours=hours)}])
    updates = list(WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED).order_by("id"))
    assert len(updates) == 2 and updates[0].sequence < updates[1].sequence
    deliver()  # sends each once, refuses a second send
    assert len(mailoutbox) == 3
    sequences = [int(icalendar.Calendar.from_ical(calendar_parts(m)[0]).walk("VEVENT")[0]["SEQUENCE"])
                 for m in mailoutbox]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3


def test_a_refused_change_logs_no_update(session, learners):
    workshop_sessions.registration_create(session=session, user=learners[0])
    workshop_sessions.registration_create(session=session, user=learners[1])
    with pytest.raises(WorkshopConflict):
        workshop_sessions.session_update(session=session, venue="Room 9", capacity=1)
    assert not WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED).exists()
    session.refresh_from_db()
    assert session.venue == ""


# --- every zone ------------------------------------------------------------------------------

@needs_node
def test_every_zone_that_changes_offset_reads_alike(tmp_path):
    """Beyond the five zones above: for every IANA zone whose offset changes in 2026-2027, one
    in-memory session with parts right around each change reads the same in the three parsers
    and gives the stored instants (one node run for all of them)."""
    since, until = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    stored, files = [], []
    for zone in sorted(zoneinfo.available_timezones()):
        changes = offset_changes(zone, since, count=10)
        changes = [change for change in changes if change < until]
        if not changes:
            continue
        parts = [(change + timedelta(minutes=shift), change + timedelta(minutes=shift + 20))
                 for change in changes for shift in (-90, -30, -10, 10, 40)]
        stored.append((zone, parts))
        files.append(session_ics(in_memory_session(zone, parts)))
    assert len(files) > 100
    readings = read_three_ways(files, tmp_path)
    wrong = [zone for (zone, parts), (_method, events) in zip(stored, readings, strict=True)
             if [(start, end) for _uid, _sequence, start, end in events] != parts]
    assert wrong == []


def test_a_change_in_the_last_second_the_zone_covers_is_found():
    """Times with microseconds: a change of offset half a second before the end of the VTIMEZONE's
    reach (a year after the last time) is still written (it once sent the search round forever)."""
    change = datetime(2027, 10, 31, 1, tzinfo=UTC)
    last = change + timedelta(microseconds=500000) - timedelta(days=366)
    zone = vtimezone("Europe/Lisbon", [last - timedelta(hours=1), last])
    starts = [block.decoded("DTSTART") for block in zone.walk() if block.name in ("STANDARD", "DAYLIGHT")]
    assert starts[-1] == datetime(2027, 10, 31, 2)  # 02:00 summer time, an hour fell back
