"""Builders for the workshop tests: a published course with a workshop activity, sessions, learners."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from courses.catalog.models import Activity
from courses.enrollments import services as enrollment_services
from courses.workshops.models import Workshop, WorkshopSession
from courses.workshops.services import sessions as workshop_sessions
from tests import factories as people
from tests.courses.factories import activities_of, build_course


def workshop_course(**fields):
    return build_course(activities=[{"title": "Read first"},
                                    {"title": "Live practice", "kind": Activity.Kind.WORKSHOP}], **fields)


def make_workshop(*, course=None, instructors=None, requires_approval: bool = False) -> Workshop:
    course = course or workshop_course()
    activity = next(a for a in activities_of(course) if a.kind == Activity.Kind.WORKSHOP)
    instructors = instructors if instructors is not None else [people.UserFactory()]
    return workshop_sessions.workshop_create(activity=activity, description="Practise hard calls.",
                                             instructors=instructors,
                                             requires_approval=requires_approval)


def at(days: float = 3, hour: int | None = None) -> datetime:
    moment = timezone.now() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0) if hour is not None else moment


def make_session(workshop: Workshop, *, start: datetime | None = None, hours: float = 2, capacity: int = 10,
                 parts: list[dict] | None = None, **fields) -> WorkshopSession:
    start = start or at(3, hour=10)
    parts = parts or [{"starts_at": start, "ends_at": start + timedelta(hours=hours)}]
    return workshop_sessions.session_create(workshop=workshop, parts=parts, capacity=capacity, **fields)


def enrolled(course, user=None):
    user = user or people.UserFactory()
    enrollment_services.enrollment_create(user=user, course=course)
    return user


def course_of(obj) -> object:
    workshop = obj.workshop if isinstance(obj, WorkshopSession) else obj
    return workshop.activity.course


@pytest.fixture
def workshop(db) -> Workshop:
    return make_workshop()


@pytest.fixture
def instructor(workshop):
    return workshop.instructors.get()


@pytest.fixture
def session(workshop) -> WorkshopSession:
    return make_session(workshop, capacity=2)


@pytest.fixture
def learners(workshop):
    course = workshop.activity.course
    return [enrolled(course) for _ in range(4)]
