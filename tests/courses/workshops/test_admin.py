"""The workshop back office: pages render for the staff, the bulk attendance action goes through the services."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from courses.workshops.models import AttendanceMark, WorkshopEmail, WorkshopSession
from courses.workshops.services import sessions as services
from tests import factories as people
from tests.courses.workshops.conftest import at, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org, workshop):
    user = people.member(org, "instructor", user__is_staff=True)
    workshop.activity.course.instructors.add(user)
    workshop.instructors.add(user)
    return user


def test_pages_render_with_roster(staff, workshop, learners):
    session = make_session(workshop, instructors=[staff])
    services.registration_create(session=session, user=learners[0])
    client = Client()
    client.force_login(staff)
    for url in ("/admin/courses/workshop/", f"/admin/courses/workshop/{workshop.pk}/change/",
                "/admin/courses/workshopsession/", f"/admin/courses/workshopsession/{session.pk}/change/",
                "/admin/courses/registration/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/courses/workshopsession/{session.pk}/change/").content.decode()
    assert learners[0].email in page and "roster/csv" in page


def test_bulk_attendance_action(staff, workshop, learners):
    session = make_session(workshop, instructors=[staff])
    for user in learners[:3]:
        services.registration_create(session=session, user=user)
    part = session.parts.get()
    services.session_update(session=session, parts=[{"id": part.pk, "starts_at": at(-1), "ends_at": at(-0.9)}])
    client = Client()
    client.force_login(staff)
    response = client.post("/admin/courses/workshopsession/", {
        "action": "mark_all_attended", "_selected_action": [session.pk]}, follow=True)
    assert response.status_code == 200
    assert AttendanceMark.objects.filter(status="attended").count() == 3
    assert set(session.registrations.values_list("attendance", flat=True)) == {"completed"}


def test_bulk_attendance_refused_for_staff_not_running_the_session(org, workshop, learners):
    other = people.member(org, "instructor", user__is_staff=True)
    workshop.activity.course.instructors.add(other)
    session = make_session(workshop)
    services.registration_create(session=session, user=learners[0])
    part = session.parts.get()
    services.session_update(session=session, parts=[{"id": part.pk, "starts_at": at(-1), "ends_at": at(-0.9)}])
    client = Client()
    client.force_login(other)
    client.post("/admin/courses/workshopsession/", {"action": "mark_all_attended",
                                                    "_selected_action": [session.pk]}, follow=True)
    assert AttendanceMark.objects.count() == 0


def test_admin_capacity_below_bookings_is_a_form_error(staff, workshop, learners):
    session = make_session(workshop, capacity=2, instructors=[staff])
    for user in learners[:2]:
        services.registration_create(session=session, user=user)
    part = session.parts.get()
    client = Client()
    client.force_login(staff)
    data = {
        "workshop": workshop.pk, "title": "", "timezone": "UTC", "venue": "", "online_url": "", "capacity": 1,
        "waitlist_enabled": "on", "cancellation_cutoff_hours": 24, "instructors": [staff.pk],
        "parts-TOTAL_FORMS": 1, "parts-INITIAL_FORMS": 1, "parts-MIN_NUM_FORMS": 0, "parts-MAX_NUM_FORMS": 1000,
        "parts-0-id": part.pk, "parts-0-session": session.pk,
        "parts-0-starts_at_0": part.starts_at.strftime("%Y-%m-%d"),
        "parts-0-starts_at_1": part.starts_at.strftime("%H:%M:%S"),
        "parts-0-ends_at_0": part.ends_at.strftime("%Y-%m-%d"),
        "parts-0-ends_at_1": part.ends_at.strftime("%H:%M:%S"),
        "parts-0-required": "on",
        "registrations-TOTAL_FORMS": 2, "registrations-INITIAL_FORMS": 2, "registrations-MIN_NUM_FORMS": 0,
        "registrations-MAX_NUM_FORMS": 1000,
        **{f"registrations-{n}-id": r.pk for n, r in enumerate(session.registrations.order_by("ticket"))},
        **{f"registrations-{n}-session": session.pk for n in range(2)},
    }
    response = client.post(f"/admin/courses/workshopsession/{session.pk}/change/", data)
    assert response.status_code == 200 and "seats are booked" in response.content.decode()
    assert WorkshopSession.objects.get(pk=session.pk).capacity == 2
    data["capacity"] = 5
    response = client.post(f"/admin/courses/workshopsession/{session.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.capacity == 5 and session.sequence == 1
    assert session.starts_at - part.starts_at < timedelta(seconds=1)
    assert not WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED).exists()  # the time stayed
    moved = part.starts_at + timedelta(hours=1)
    data["parts-0-starts_at_1"] = moved.strftime("%H:%M:%S")
    response = client.post(f"/admin/courses/workshopsession/{session.pk}/change/", data)
    assert response.status_code == 302
    assert WorkshopSession.objects.get(pk=session.pk).starts_at == moved
    rescheduled = WorkshopEmail.objects.filter(kind=WorkshopEmail.Kind.RESCHEDULED)
    assert sorted(rescheduled.values_list("to", flat=True)) == sorted(user.email for user in learners[:2])
