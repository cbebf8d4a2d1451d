"""Builders for the reminder tests: people in an organization with managers, enrollments at chosen ages."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest

from courses.models import Enrollment, ReminderLog, ReminderSettings
from tests import factories as people
from tests.courses.factories import build_course

NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)  # a Wednesday, 12:00 in São Paulo, 00:00 Tokyo


@pytest.fixture(autouse=True)
def _no_quiet_days_by_default(settings):
    settings.SITE_URL = "https://lms.example.test"


@pytest.fixture
def course(db):
    return build_course(activities=[{"title": "Listen"}, {"title": "Reflect"}], title="Listening Well")


def always_open(organization, **fields) -> ReminderSettings:
    """Reminder settings with no quiet time at all (the tests of quiet time set their own)."""
    values = {"quiet_start": datetime.time(0, 0), "quiet_end": datetime.time(0, 0), "quiet_days": [],
              "daily_cap": 10, **fields}
    return ReminderSettings.objects.update_or_create(organization=organization, defaults=values)[0]


def enroll(user, course, organization, *, enrolled_days_ago: float = 0, idle_days: float | None = None,
           due_in_days: float | None = None, status: str = Enrollment.Status.ACTIVE, now=NOW) -> Enrollment:
    """An enrollment row placed in time relative to ``now`` (rows, not services: the ages are the point)."""
    completed = now if status == Enrollment.Status.COMPLETED else None
    return Enrollment.objects.create(
        user=user, course=course, organization=organization, status=status,
        enrolled_at=now - timedelta(days=enrolled_days_ago),
        last_activity_at=None if idle_days is None else now - timedelta(days=idle_days),
        progress_percent=0 if idle_days is None else 50,
        due_at=None if due_in_days is None else now + timedelta(days=due_in_days),
        completed_at=completed,
        withdrawn_at=now if status == Enrollment.Status.WITHDRAWN else None,
    )


def learner(organization, **user_fields):
    return people.member(organization, **{f"user__{k}": v for k, v in user_fields.items()})


def logged(**filters) -> list[tuple]:
    return sorted(ReminderLog.objects.filter(**filters).values_list("recipient__email", "kind", "status"))
