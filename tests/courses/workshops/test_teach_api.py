"""Authoring workshops through the API: POST /workshops/ (a workshop activity and its workshop on a course),
PATCH and DELETE /workshops/<id>/, course managers only, instructors from the course's organization."""
from __future__ import annotations

import pytest

from courses.catalog.models import Activity
from courses.workshops.models import Workshop
from courses.workshops.services import sessions as services
from tests import factories as people
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop, workshop_course
from tests.helpers import assert_error, request_property

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(org):
    instructor = people.member(org, "instructor")
    course = workshop_course(organization=org)
    course.instructors.add(instructor)
    return instructor, course


def test_a_course_manager_creates_a_workshop_and_its_activity(setting, org, client_for):
    instructor, course = setting
    colleague = people.member(org, "instructor")
    response = client_for(instructor).post("/api/v1/workshops/", {
        "course": course.slug, "title": "Difficult calls lab", "description": "Practise.",
        "requires_approval": True, "instructors": [colleague.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Difficult calls lab" and body["requires_approval"] is True
    assert [person["id"] for person in body["instructors"]] == [colleague.pk]
    activity = Activity.objects.get(pk=body["activity"])
    assert activity.kind == Activity.Kind.WORKSHOP and activity.course == course and not activity.required
    session = client_for(instructor).post("/api/v1/workshops/sessions/", {
        "workshop": body["id"], "capacity": 4,
        "parts": [{"starts_at": "2099-03-01T10:00:00Z", "ends_at": "2099-03-01T12:00:00Z"}]}, format="json")
    assert session.status_code == 201


def test_instructors_from_another_organization_are_refused(setting, other_org, client_for):
    instructor, course = setting
    outsider = people.member(other_org, "instructor")
    before = Workshop.objects.count()
    response = client_for(instructor).post("/api/v1/workshops/", {
        "course": course.slug, "title": "Lab", "instructors": [outsider.pk]}, format="json")
    assert response.status_code == 422
    assert "instructors" in response.json()["error"]["fields"]
    assert Workshop.objects.count() == before
    assert not Activity.objects.filter(title="Lab").exists()


def test_instructor_ids_past_64_bits_are_refused_as_the_schema_says(setting, client_for):
    """The API fuzzer sent an instructor id over 2**63 - 1, valid by the schema then (no maximum), and met a 400:
    the schema now states the 64-bit range of an id; past it is a 400 naming the field, and the largest id is
    a 422 (nobody has it)."""
    instructor, course = setting
    item = request_property("POST", "/api/v1/workshops/", "instructors", "items")
    assert (item["minimum"], item["maximum"], item["format"]) == (1, 2**63 - 1, "int64")
    assert request_property("POST", "/api/v1/workshops/", "module")["maximum"] == 2**63 - 1
    client = client_for(instructor)
    body = {"course": course.slug, "title": "Lab"}
    for ids, status in (([2**63], 400), ([10**30, 4], 400), ([2**63 - 1], 422)):
        error = assert_error(client.post("/api/v1/workshops/", {**body, "instructors": ids}, format="json"), status)
        assert "instructors" in error["fields"], ids
    assert not Workshop.objects.exists()


def test_who_may_create(setting, org, other_org, client_for):
    _, course = setting
    body = {"course": course.slug, "title": "Lab"}
    assert client_for(people.member(org, "learner")).post("/api/v1/workshops/", body, format="json"
                                                          ).status_code == 403
    assert client_for(people.member(other_org, "instructor")).post("/api/v1/workshops/", body, format="json"
                                                                   ).status_code == 404
    assert not Workshop.objects.exists()


def test_patch_and_delete(setting, org, other_org, client_for):
    instructor, course = setting
    workshop = make_workshop(course=course, instructors=[instructor])
    api = client_for(instructor)
    response = api.patch(f"/api/v1/workshops/{workshop.pk}/", {"description": "New words",
                                                              "requires_approval": True}, format="json")
    assert response.status_code == 200 and response.json()["description"] == "New words"
    assert client_for(people.member(other_org, "instructor")).patch(
        f"/api/v1/workshops/{workshop.pk}/", {"description": "x"}, format="json").status_code == 404
    assert client_for(people.member(org, "learner")).delete(f"/api/v1/workshops/{workshop.pk}/").status_code == 403
    session = make_session(workshop)
    learner = enrolled(course, people.member(org))
    Workshop.objects.filter(pk=workshop.pk).update(requires_approval=False)
    services.registration_create(session=session, user=learner)
    conflict = api.delete(f"/api/v1/workshops/{workshop.pk}/")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "workshop_in_use"
    assert Workshop.objects.filter(pk=workshop.pk).exists()


def test_a_workshop_without_registrations_is_deleted(setting, client_for):
    instructor, course = setting
    workshop = make_workshop(course=course, instructors=[instructor])
    make_session(workshop)
    assert client_for(instructor).delete(f"/api/v1/workshops/{workshop.pk}/").status_code == 204
    assert not Workshop.objects.filter(pk=workshop.pk).exists()
