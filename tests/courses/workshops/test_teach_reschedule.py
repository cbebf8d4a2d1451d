"""Rescheduling and cancelling a session from its /teach/ page: every booked learner gets an updated invitation
(same UID, a higher SEQUENCE, METHOD:REQUEST, the new time) or a CANCEL, in their own language, read back with
an outside parser (icalendar)."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from courses.workshops.models import WorkshopEmail
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as services
from tests import factories as people
from tests.courses.workshops.conftest import at, enrolled, make_session, make_workshop, workshop_course
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

LISBON = ZoneInfo("Europe/Lisbon")


@pytest.fixture
def scene(org):
    instructor = people.member(org, "instructor")
    course = workshop_course(organization=org)
    course.instructors.add(instructor)
    workshop = make_workshop(course=course, instructors=[instructor])
    start = at(6, hour=9).astimezone(LISBON).replace(hour=10, minute=0)
    session = make_session(workshop, start=start, capacity=2, timezone="Europe/Lisbon")
    learners = {language: enrolled(course, people.member(org, user__language=language))
                for language in ("en", "pt-BR")}
    waiting = enrolled(course, people.member(org))
    for learner in (*learners.values(), waiting):
        services.registration_create(session=session, user=learner)
    return instructor, session, learners, waiting


def send_all(mailoutbox) -> dict[str, object]:
    """Send every logged workshop email; the sent mails by their log key."""
    for email in WorkshopEmail.objects.filter(sent_at__isnull=True).order_by("id"):
        workshop_mail.workshop_email_send(email_id=email.pk)
    return {message.extra_headers["X-LMS-Workshop-Email"]: message for message in mailoutbox}


def calendar_of(message) -> icalendar.Calendar:
    attachment = next(a for a in message.attachments if a[0].endswith(".ics"))
    content = attachment[1]
    return icalendar.Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def event_of(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def edit_data(session, start) -> dict:
    local = start.astimezone(LISBON)
    return {"title": session.title, "timezone": "Europe/Lisbon", "venue": "Room 9", "online_url": "",
            "capacity": "2", "waitlist_enabled": "on", "cancellation_cutoff_hours": "24",
            "instructors": [person.pk for person in session.instructors.all()],
            "part_1_start": local.strftime("%Y-%m-%dT%H:%M"),
            "part_1_end": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}


def test_a_moved_session_sends_each_booked_learner_an_updated_invitation(scene, mailoutbox):
    instructor, session, learners, waiting = scene
    first = send_all(mailoutbox)
    new_start = session.starts_at + timedelta(days=1, hours=2)
    response = signed_in(instructor).post(reverse("pages:teach-session-edit", args=[session.pk]),
                                          edit_data(session, new_start))
    assert response.status_code == 302
    sent = send_all(mailoutbox)
    for language, learner in learners.items():
        booked = WorkshopEmail.objects.get(registration__user=learner, kind="booked")
        moved = WorkshopEmail.objects.get(registration__user=learner, kind="rescheduled")
        before, after = event_of(calendar_of(first[booked.key])), event_of(calendar_of(sent[moved.key]))
        assert calendar_of(sent[moved.key])["METHOD"] == "REQUEST"
        assert str(after["UID"]) == str(before["UID"])
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        assert after.decoded("DTSTART") == new_start
        assert before.decoded("DTSTART") == session.starts_at
        assert str(after["LOCATION"]).startswith("Room 9")
        subject = sent[moved.key].subject
        assert subject.startswith("Sessão remarcada:" if language == "pt-BR" else "Session rescheduled:")
        if language == "pt-BR":
            assert "o novo horário está abaixo" in sent[moved.key].body
    assert not WorkshopEmail.objects.filter(registration__user=waiting, kind="rescheduled").exists()


def test_saving_without_a_change_of_time_or_place_sends_nothing(scene, mailoutbox):
    instructor, session, _, _ = scene
    data = edit_data(session, session.starts_at)
    data["venue"] = session.venue
    signed_in(instructor).post(reverse("pages:teach-session-edit", args=[session.pk]), data)
    assert not WorkshopEmail.objects.filter(kind="rescheduled").exists()


def test_a_cancelled_session_sends_a_cancel_with_the_same_uid(scene, mailoutbox):
    instructor, session, learners, _ = scene
    first = send_all(mailoutbox)
    response = signed_in(instructor).post(reverse("pages:teach-session-cancel", args=[session.pk]),
                                          {"reason": "Trainer ill"})
    assert response.status_code == 302
    sent = send_all(mailoutbox)
    learner = learners["pt-BR"]
    booked = WorkshopEmail.objects.get(registration__user=learner, kind="booked")
    cancelled = WorkshopEmail.objects.get(registration__user=learner, kind="session_cancelled")
    calendar = calendar_of(sent[cancelled.key])
    assert calendar["METHOD"] == "CANCEL"
    event, before = event_of(calendar), event_of(calendar_of(first[booked.key]))
    assert str(event["UID"]) == str(before["UID"]) and int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert sent[cancelled.key].subject.startswith("Sessão cancelada")
