"""The /teach/ home: my courses with their learners, my sessions of the next two weeks, and what needs me now."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.workshops.models import AttendanceMark, Registration, SessionPart, WorkshopSession
from tests.courses.factories import EnrollmentFactory, build_course
from tests.courses.workshops.conftest import at, make_session, make_workshop, workshop_course
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def _course_of(org, instructor, slug):
    course = workshop_course(slug=slug, organization=org)
    course.instructors.add(instructor)
    return course


def _register(session, status=Registration.Status.BOOKED, user=None):
    user = user or UserFactory()
    enrollment = EnrollmentFactory(user=user, course=session.workshop.activity.course)
    ticket = Registration.objects.filter(session=session).count() + 1
    return Registration.objects.create(session=session, user=user, enrollment=enrollment, status=status,
                                       ticket=ticket)


def _end_in_the_past(session):
    start = timezone.now() - timedelta(days=2)
    SessionPart.objects.filter(session=session).update(starts_at=start, ends_at=start + timedelta(hours=2))
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))


def _world(org, instructor, size):
    """``size`` courses, each with a session in the next days (one booked, one waiting for approval), a past
    session left without attendance and an overdue learner."""
    past = timezone.now() - timedelta(days=1)
    for number in range(size):
        course = _course_of(org, instructor, f"home-{size}-{number}")
        EnrollmentFactory(course=course, due_at=past)
        EnrollmentFactory(course=course, status=Enrollment.Status.COMPLETED, completed_at=timezone.now())
        workshop = make_workshop(course=course, instructors=[instructor])
        upcoming = make_session(workshop, start=at(2 + number % 5, hour=9), capacity=3)
        upcoming.instructors.add(instructor)
        _register(upcoming)
        _register(upcoming, Registration.Status.PENDING_APPROVAL)
        finished = make_session(workshop, capacity=3)
        finished.instructors.add(instructor)
        _register(finished)
        _end_in_the_past(finished)


def _home(client, instructor):
    client.force_login(instructor)
    response = client.get(reverse("pages:teach"))
    assert response.status_code == 200
    return response.text


def test_the_home_shows_courses_with_counts_sessions_and_needs(client, org):
    instructor = member(org, "instructor")
    _world(org, instructor, 2)
    text = _home(client, instructor)
    assert "Home 2 0" in text and "Home 2 1" in text
    assert "1 of 3" in text  # booked of capacity
    assert "Registrations waiting for your approval" in text
    assert "Past sessions without attendance" in text
    assert "Learners past their due date" in text
    assert f'href="{reverse("pages:teach-workshops")}"' in text


def test_the_home_asks_a_constant_number_of_queries(client, org):
    small, large = member(org, "instructor"), member(org, "instructor")
    _world(org, small, 2)
    _world(org, large, 20)
    client.force_login(small)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pages:teach")).status_code == 200
    client.force_login(large)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("pages:teach")).status_code == 200
    assert len(many) == len(few)


def test_needs_go_away_when_done_and_never_show_other_peoples_work(client, org, other_org):
    instructor = member(org, "instructor")
    stranger = member(other_org, "instructor")
    course = _course_of(org, instructor, "mine")
    workshop = make_workshop(course=course, instructors=[instructor])
    finished = make_session(workshop)
    finished.instructors.add(instructor)
    registration = _register(finished)
    _end_in_the_past(finished)
    assert "Past sessions without attendance" in _home(client, instructor)
    AttendanceMark.objects.create(registration=registration, part=finished.parts.get(), status="attended")
    text = _home(client, instructor)
    assert "Past sessions without attendance" not in text
    assert "Nothing is waiting for you." in text
    other = _home(client, stranger)
    assert "Mine" not in other and "Nothing is waiting for you." in other


def test_counts_leave_out_withdrawn_learners_and_other_courses(client, org):
    instructor = member(org, "instructor")
    course = build_course(slug="counted", organization=org, publish=False)
    course.instructors.add(instructor)
    EnrollmentFactory(course=course)
    EnrollmentFactory(course=course, status=Enrollment.Status.WITHDRAWN, withdrawn_at=timezone.now())
    not_mine = build_course(slug="not-mine", organization=org, publish=False)
    EnrollmentFactory(course=not_mine, due_at=timezone.now() - timedelta(1))
    text = _home(client, instructor)
    assert "Counted" in text and "Not Mine" not in text
    assert "Learners past their due date" not in text


def test_the_home_in_portuguese(client, org):
    instructor = member(org, "instructor")
    _world(org, instructor, 1)
    client.force_login(instructor)
    text = client.get(reverse("pages:teach"), HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "Inscrições aguardando sua aprovação" in text
    assert "Minhas próximas sessões" in text
    assert ">Publicado<" in text and ">Published<" not in text  # the course status, in the reader's language
    assert 'href="/teach/workshops/">Oficinas</a>' in text  # the workspace's menu words it as the site's menu
