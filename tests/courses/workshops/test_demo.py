"""The demo gains a workshop with two sessions, one nearly full, and some attendance."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from courses.workshops.models import AttendanceMark, Registration, Workshop

pytestmark = pytest.mark.django_db


def test_demo_workshop(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", stdout=io.StringIO())
    workshop = Workshop.objects.get(activity__title="Role-playing difficult conversations")
    assert workshop.activity.course.slug == "power-of-empathy-customer-service"
    past, upcoming = workshop.sessions.order_by("starts_at")
    assert past.status == "completed"
    assert upcoming.capacity - upcoming.registrations.filter(status="booked").count() == 1  # nearly full
    assert AttendanceMark.objects.filter(registration__session=past).count() == 6
    outcomes = dict(Registration.objects.filter(session=past).values_list("user__email", "attendance"))
    assert outcomes == {"learner@acme.example": "completed", "learner2@acme.example": "completed",
                        "supervisor@acme.example": "no_show"}
    counts = (Workshop.objects.count(), Registration.objects.count(), AttendanceMark.objects.count())
    call_command("load_demo", stdout=io.StringIO())  # idempotent
    assert (Workshop.objects.count(), Registration.objects.count(), AttendanceMark.objects.count()) == counts
