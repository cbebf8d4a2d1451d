"""workshop_session_soon: booked learners of scheduled sessions, once per lead (24 h and 1 h), worded
in the session's own time zone with its venue, online link and .ics."""
from __future__ import annotations

import datetime
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.reminders.registry import source
from courses.workshops.models import Registration
from courses.workshops.services import sessions as course_services
from tests import factories as people
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop, workshop_course

pytestmark = pytest.mark.django_db
KIND = "workshop_session_soon"


def selected(now) -> set[tuple[str, int, str]]:
    reminders.reminders_select(now=now, kinds=[KIND])
    return set(ReminderLog.objects.filter(kind=KIND).values_list("recipient__email", "subject_id", "period"))


def book(session, course, user=None) -> Registration:
    user = enrolled(course, user)
    registration = course_services.registration_create(session=session, user=user)
    return registration[0] if isinstance(registration, tuple) else registration


@pytest.fixture
def setup():
    course = workshop_course()
    return course, make_workshop(course=course)


def test_booked_learners_get_the_24h_then_the_1h_reminder_once_each(setup):
    course, workshop = setup
    start = timezone.now() + timedelta(days=2)
    session = make_session(workshop, start=start, capacity=2)
    booked = book(session, course)
    other_booked = book(session, course)
    waitlisted = book(session, course)
    cancelled = book(session, course)
    assert waitlisted.status == Registration.Status.WAITLISTED
    course_services.registration_cancel(registration=cancelled, actor=cancelled.user)
    emails = {booked.user.email, other_booked.user.email}

    assert selected(start - timedelta(hours=30)) == set()  # not yet
    day_before = {(email, session.pk, "24h") for email in emails}
    assert selected(start - timedelta(hours=20)) == day_before
    assert selected(start - timedelta(hours=10)) == day_before  # a second sweep adds nothing
    hour_before = day_before | {(email, session.pk, "1h") for email in emails}
    assert selected(start - timedelta(minutes=50)) == hour_before
    assert selected(start - timedelta(minutes=5)) == hour_before
    assert selected(start + timedelta(minutes=5)) == hour_before  # started: nothing more
    log = ReminderLog.objects.filter(kind=KIND, recipient=booked.user).first()
    assert log.enrollment_id == booked.enrollment_id


def test_a_late_booking_gets_only_the_shortest_lead(setup):
    course, workshop = setup
    start = timezone.now() + timedelta(days=2)
    session = make_session(workshop, start=start)
    late = book(session, course)
    assert selected(start - timedelta(minutes=30)) == {(late.user.email, session.pk, "1h")}


def test_cancelled_and_past_sessions_are_not_reminded(setup):
    course, workshop = setup
    start = timezone.now() + timedelta(days=2)
    cancelled_session = make_session(workshop, start=start)
    book(cancelled_session, course)
    course_services.session_cancel(session=cancelled_session)
    past = make_session(workshop, start=start - timedelta(hours=6))
    book(past, course)
    assert selected(start - timedelta(hours=3)) == set()  # past started 3 h ago; the other is cancelled


def test_completed_enrollment_still_reminded_but_withdrawn_is_not(setup):
    course, workshop = setup
    start = timezone.now() + timedelta(days=2)
    session = make_session(workshop, start=start)
    done, gone = book(session, course), book(session, course)
    Enrollment.objects.filter(pk=done.enrollment_id).update(status=Enrollment.Status.COMPLETED,
                                                            completed_at=timezone.now())
    Enrollment.objects.filter(pk=gone.enrollment_id).update(status=Enrollment.Status.WITHDRAWN,
                                                            withdrawn_at=timezone.now())
    assert selected(start - timedelta(hours=2)) == {(done.user.email, session.pk, "24h")}
    assert source(KIND).needs_active_enrollment is False


def test_leads_follow_the_setting(settings, setup):
    settings.WORKSHOP_REMINDER_HOURS = [48.0, 0.5]
    course, workshop = setup
    start = timezone.now() + timedelta(days=3)
    session = make_session(workshop, start=start)
    registration = book(session, course)
    assert selected(start - timedelta(hours=40)) == {(registration.user.email, session.pk, "48h")}
    assert selected(start - timedelta(minutes=20)) == {(registration.user.email, session.pk, "48h"),
                                                       (registration.user.email, session.pk, "30m")}


def test_per_course_policy_disables_the_kind_for_the_workshops_course(setup, org):
    course, workshop = setup
    start = timezone.now() + timedelta(days=2)
    session = make_session(workshop, start=start)
    member = people.member(org)
    registration = book(session, course, member)
    enrollment = registration.enrollment
    assert enrollment.organization_id is not None
    reminders.reminder_policy_upsert(organization=enrollment.organization, kind=KIND, course=course, enabled=False)
    assert selected(start - timedelta(hours=2)) == set()
    reminders.reminder_policy_upsert(organization=enrollment.organization, kind=KIND, course=course, enabled=True,
                                     days=99)  # days mean nothing for this kind
    assert selected(start - timedelta(hours=2)) == {(member.email, session.pk, "24h")}


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["Coming up: \"Live practice\"", "(America/Sao_Paulo)", "10 a.m.", "Where: Room 4, Rua Augusta 100",
            "Join online: https://meet.example.test/abc", "Open the session's page"]),
    ("pt-br", ["Está chegando: \"Live practice\"", "(America/Sao_Paulo)", "10:00",
               "Local: Room 4, Rua Augusta 100", "Participe on-line: https://meet.example.test/abc",
               "Abrir a página da sessão"]),
])
def test_message_says_when_and_where_in_the_sessions_time_zone(setup, language, expected):
    course, workshop = setup
    sao_paulo = zoneinfo.ZoneInfo("America/Sao_Paulo")
    local_day = (timezone.now() + timedelta(days=3)).astimezone(sao_paulo).date()
    start = datetime.datetime.combine(local_day, datetime.time(10, 0), tzinfo=sao_paulo)
    session = make_session(workshop, start=start, timezone="America/Sao_Paulo", venue="Room 4, Rua Augusta 100",
                           online_url="https://meet.example.test/abc")
    book(session, course)
    reminders.reminders_select(now=start - timedelta(hours=5), kinds=[KIND])
    log = ReminderLog.objects.get(kind=KIND)
    src = source(KIND)
    message = src.message(log, src.load([log])[log.pk], language)
    text = "\n".join([message.subject, *message.paragraphs, message.action_label])
    for fragment in expected:
        assert fragment in text, text
    assert message.action_url == f"https://lms.example.test/workshops/sessions/{session.pk}/"
    assert "13:00" not in text and "1 p.m." not in text  # never the UTC time
