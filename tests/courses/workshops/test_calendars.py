"""Calendars: the session .ics, personal feeds and the emails' invitations, parsed with icalendar."""
from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from courses.workshops.models import CalendarFeedToken, WorkshopEmail
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from tests.courses.workshops.conftest import at, course_of, enrolled, make_session
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
LISBON = zoneinfo.ZoneInfo("Europe/Lisbon")


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def lisbon_session(workshop):
    """Two parts on both sides of Lisbon's spring-forward (2027-03-28): 10:00 local both days,
    which is 10:00 UTC before the change and 09:00 UTC after it."""
    return make_session(workshop, timezone="Europe/Lisbon", venue="Rua Augusta 1", parts=[
        {"starts_at": datetime(2027, 3, 20, 10, tzinfo=UTC), "ends_at": datetime(2027, 3, 20, 12, tzinfo=UTC)},
        {"starts_at": datetime(2027, 4, 3, 9, tzinfo=UTC), "ends_at": datetime(2027, 4, 3, 11, tzinfo=UTC)}])


def test_session_ics_round_trips_across_daylight_saving(client_for, lisbon_session, instructor):
    response = client_for(instructor).get(f"/api/v1/workshops/sessions/{lisbon_session.pk}/ics/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = parse(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    first, second = events(calendar)
    assert first["DTSTART"].params["TZID"] == "Europe/Lisbon"
    assert first.decoded("DTSTART") == datetime(2027, 3, 20, 10, tzinfo=LISBON)
    assert second.decoded("DTSTART") == datetime(2027, 4, 3, 10, tzinfo=LISBON)  # same wall clock
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 20, 10, tzinfo=UTC)
    assert second.decoded("DTSTART").astimezone(UTC) == datetime(2027, 4, 3, 9, tzinfo=UTC)
    assert second.decoded("DTEND").astimezone(UTC) == datetime(2027, 4, 3, 11, tzinfo=UTC)
    # The VTIMEZONE itself describes Lisbon's rules: an application that ignores the TZID name
    # and only reads the VTIMEZONE still gets the right offsets.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Lisbon"
    tz = vtimezone.to_tz()
    assert datetime(2027, 3, 20, 10).replace(tzinfo=tz).utcoffset() == timedelta(0)
    assert datetime(2027, 4, 3, 10).replace(tzinfo=tz).utcoffset() == timedelta(hours=1)
    assert first["LOCATION"] == "Rua Augusta 1" and first["STATUS"] == "CONFIRMED"
    assert first["UID"] != second["UID"]


def test_uid_stays_and_sequence_rises_on_every_change(lisbon_session):
    from courses.workshops.calendars import session_ics

    def read():
        first = events(parse(session_ics(lisbon_session)))[0]
        return str(first["UID"]), int(first["SEQUENCE"]), first.decoded("DTSTART")

    uid, sequence, _start = read()
    assert sequence == 0
    part = lisbon_session.parts.order_by("starts_at").first()
    moved = datetime(2027, 3, 21, 14, tzinfo=UTC)
    lisbon_session = workshop_sessions.session_update(session=lisbon_session, venue="Room 2", parts=[
        {"id": part.pk, "starts_at": moved, "ends_at": moved + timedelta(hours=2)},
        *[{"id": p.pk, "starts_at": p.starts_at, "ends_at": p.ends_at} for p in lisbon_session.parts.all()[1:]]])
    uid2, sequence2, start2 = read()
    assert (uid2, sequence2) == (uid, 1) and start2.astimezone(UTC) == moved
    lisbon_session = workshop_sessions.session_update(session=lisbon_session, capacity=20)
    assert read()[:2] == (uid, 2)
    workshop_sessions.session_cancel(session=lisbon_session)
    lisbon_session.refresh_from_db()
    cancelled = events(parse(session_ics(lisbon_session)))
    assert {str(e["STATUS"]) for e in cancelled} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in cancelled} == {3}
    assert str(cancelled[0]["UID"]) == uid


def test_emails_carry_request_and_cancel_invitations(session, learners, mailoutbox):
    booked, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    workshop_sessions.registration_create(session=session, user=learners[1])
    waiting, _ = workshop_sessions.registration_create(session=session, user=learners[2])
    workshop_sessions.registration_cancel(registration=booked, actor=learners[0])
    for email in WorkshopEmail.objects.order_by("id"):
        assert workshop_mail.workshop_email_send(email_id=email.pk) is True
        assert workshop_mail.workshop_email_send(email_id=email.pk) is False  # at most once
    kinds = [(m.to[0], m.subject.split(":")[0]) for m in mailoutbox]
    assert kinds == [(learners[0].email, "You are booked"), (learners[1].email, "You are booked"),
                     (learners[0].email, "Your place is cancelled"),
                     (learners[2].email, "A seat opened up — you are booked")]
    sequences = {}
    for message in mailoutbox:
        (_name, content, mimetype), = message.attachments
        assert mimetype.startswith("text/calendar; method=")
        calendar = parse(content)
        (event,) = events(calendar)
        assert str(calendar["METHOD"]) == mimetype.split("method=")[1].split(";")[0]
        assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
        sequences.setdefault(message.to[0], []).append((str(calendar["METHOD"]), int(event["SEQUENCE"]),
                                                        str(event["STATUS"])))
    assert sequences[learners[0].email] == [("REQUEST", 1, "CONFIRMED"), ("CANCEL", 2, "CANCELLED")]
    assert sequences[learners[2].email][0][0] == "REQUEST"
    assert waiting.pk


def test_a_failed_send_releases_the_claim(session, learners, monkeypatch):
    workshop_sessions.registration_create(session=session, user=learners[0])
    email = WorkshopEmail.objects.get()

    def broken(self, fail_silently=False):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(ConnectionError):
        workshop_mail.workshop_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.sent_at is None


def test_reconciler_resends_unclaimed_emails(session, learners, monkeypatch):
    from courses.workshops.reconcilers import workshop_emails_unsent

    workshop_sessions.registration_create(session=session, user=learners[0])
    WorkshopEmail.objects.update(created_at=at(-1))
    sent = []
    monkeypatch.setattr("courses.workshops.tasks.workshop_email_send.apply_async", lambda args,
                        retry: sent.append(args))
    assert workshop_emails_unsent() == 1
    assert sent == [[WorkshopEmail.objects.get().pk]]


# --- personal feeds --------------------------------------------------------------------------

def test_personal_feed_is_secret_revocable_and_shows_changes(api_client, client_for, session, learners, instructor):
    learner = learners[0]
    client = client_for(learner)
    created = client.post("/api/v1/workshops/calendar-feed/")
    assert created.status_code == 201
    url = created.json()["url"]
    raw = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeedToken.objects.filter(digest__contains=raw).exists()  # only a digest is stored
    path = url.split("127.0.0.1:8000", 1)[-1]

    registration, _ = workshop_sessions.registration_create(session=session, user=learner)
    feed = api_client.get(path)  # no credentials but the secret
    assert feed.status_code == 200
    (event,) = events(parse(feed.content))
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CONFIRMED", 1)
    uid = str(event["UID"])

    workshop_sessions.registration_cancel(registration=registration, actor=learner)
    (event,) = events(parse(api_client.get(path).content))
    assert (str(event["UID"]), str(event["STATUS"]), int(event["SEQUENCE"])) == (uid, "CANCELLED", 2)

    assert client.get("/api/v1/workshops/calendar-feed/").json()["active"] is True
    rotated = client.post("/api/v1/workshops/calendar-feed/").json()["url"]
    assert_error(api_client.get(path), 404, "feed_not_found")
    assert api_client.get(rotated.split("127.0.0.1:8000", 1)[-1]).status_code == 200
    assert client.delete("/api/v1/workshops/calendar-feed/").status_code == 204
    assert_error(api_client.get(rotated.split("127.0.0.1:8000", 1)[-1]), 404, "feed_not_found")
    assert client.get("/api/v1/workshops/calendar-feed/").json()["active"] is False


def test_instructor_feed_lists_the_sessions_they_run(api_client, client_for, workshop, instructor):
    first = make_session(workshop, start=at(3, hour=9))
    second = make_session(workshop, start=at(4, hour=9))
    url = client_for(instructor).post("/api/v1/workshops/calendar-feed/").json()["url"]
    calendar = parse(api_client.get(url.split("127.0.0.1:8000", 1)[-1]).content)
    from courses.workshops.calendars import part_uid

    assert [str(e["UID"]) for e in events(calendar)] == [part_uid(first, first.parts.get().pk),
                                                         part_uid(second, second.parts.get().pk)]
    assert str(calendar["X-WR-CALNAME"]) == "Empathy LMS workshops"


def test_waitlisted_places_stay_out_of_the_feed(api_client, client_for, workshop):
    session = make_session(workshop, capacity=1)
    course = course_of(workshop)
    workshop_sessions.registration_create(session=session, user=enrolled(course))
    waiting = enrolled(course)
    workshop_sessions.registration_create(session=session, user=waiting)
    url = client_for(waiting).post("/api/v1/workshops/calendar-feed/").json()["url"]
    assert events(parse(api_client.get(url.split("127.0.0.1:8000", 1)[-1]).content)) == []
