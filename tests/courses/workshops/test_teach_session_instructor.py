"""The new-session form of /teach/ ticks the person scheduling the session as its instructor when the workshop
has none (a workshop made on /teach/workshops/new/), so that someone may take the session's attendance."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from courses.workshops.models import Workshop, WorkshopSession
from tests import factories as people
from tests.courses.workshops.conftest import at, make_workshop, workshop_course
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def _ticked(html: str) -> set[int]:
    """The person ids whose instructor checkbox is ticked on the form."""
    ticked = set()
    for tag in re.findall(r"<input[^>]*name=\"instructors\"[^>]*>", html):
        if re.search(r"\bchecked\b", tag):
            ticked.add(int(re.search(r'value="(\d+)"', tag).group(1)))
    return ticked


def test_a_new_workshop_s_first_session_is_taught_by_whoever_schedules_it(org):
    instructor = people.member(org, "instructor")
    colleague = people.member(org, "instructor")
    course = workshop_course(organization=org)
    course.instructors.add(instructor)
    browser = signed_in(instructor)
    response = browser.post(reverse("pages:teach-workshop-new"), {"course": course.slug, "title": "Calm calls lab"})
    assert response.status_code == 302
    form = browser.get(response["Location"])
    assert _ticked(form.content.decode()) == {instructor.pk}
    assert colleague.pk not in _ticked(form.content.decode())
    # Sent as shown, the session is the scheduler's to mark.
    start = at(5, hour=14)
    browser.post(response["Location"], {
        "timezone": "UTC", "capacity": "2", "cancellation_cutoff_hours": "24", "instructors": [instructor.pk],
        "part_1_start": start.strftime(LOCAL), "part_1_end": (start + timedelta(hours=1)).strftime(LOCAL)})
    session = WorkshopSession.objects.get(workshop=Workshop.objects.get(activity__title="Calm calls lab"))
    assert list(session.instructors.all()) == [instructor]


def test_a_workshop_with_instructors_keeps_them_ticked_instead(org):
    instructor = people.member(org, "instructor")
    colleague = people.member(org, "instructor")
    course = workshop_course(organization=org)
    course.instructors.add(instructor)
    workshop = make_workshop(course=course, instructors=[colleague])
    form = signed_in(instructor).get(reverse("pages:teach-session-new", args=[workshop.pk]))
    assert _ticked(form.content.decode()) == {colleague.pk}
