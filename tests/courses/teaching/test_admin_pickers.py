"""People pickers in the back office list only the people of the object's organization, by name and email."""
from __future__ import annotations

import pytest
from django.test import Client

from courses.ratings.models import Rating
from tests import factories as people
from tests.courses.workshops.conftest import make_session, make_workshop, workshop_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(org, other_org):
    staff = people.member(org, "instructor", user__is_staff=True, user__first_name="Iris", user__last_name="Lima")
    colleague = people.member(org, "learner", user__first_name="Ana", user__last_name="Souza")
    stranger = people.member(other_org, "instructor", user__first_name="Otto", user__last_name="Berg")
    boss = people.UserFactory(is_superuser=True, is_staff=True, first_name="Root", last_name="Admin")
    course = workshop_course(slug="pickers", organization=org)
    course.instructors.add(staff)
    workshop = make_workshop(course=course, instructors=[staff])
    session = make_session(workshop, instructors=[staff])
    rating = Rating.objects.create(user=colleague, course=course, stars=4)
    return {"staff": staff, "colleague": colleague, "stranger": stranger, "boss": boss, "course": course,
            "workshop": workshop, "session": session, "rating": rating}


def _field(user, url, name):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["adminform"].form.fields[name], response.content.decode()


PICKERS = [("/admin/courses/course/{course}/change/", "instructors"),
           ("/admin/courses/workshop/{workshop}/change/", "instructors"),
           ("/admin/courses/workshopsession/{session}/change/", "instructors"),
           ("/admin/courses/workshopsession/add/", "instructors"),
           ("/admin/courses/rating/{rating}/change/", "user")]


@pytest.mark.parametrize("template, name", PICKERS)
def test_an_instructor_picks_only_people_of_their_organization(scene, template, name):
    url = template.format(**{key: value.pk for key, value in scene.items()})
    field, page = _field(scene["staff"], url, name)
    listed = set(field.queryset)
    assert scene["colleague"] in listed and scene["staff"] in listed
    assert scene["stranger"] not in listed and scene["boss"] not in listed
    labels = [label for _value, label in field.choices]
    assert f"Ana Souza <{scene['colleague'].email}>" in labels
    assert scene["stranger"].email not in page and scene["boss"].email not in page


def test_a_superuser_picks_anyone(scene):
    field, _page = _field(scene["boss"], f"/admin/courses/course/{scene['course'].pk}/change/", "instructors")
    assert {scene["stranger"], scene["colleague"], scene["boss"]} <= set(field.queryset)


def test_someone_already_chosen_stays_listed_so_saving_keeps_them(scene):
    scene["course"].instructors.add(scene["stranger"])
    field, _page = _field(scene["staff"], f"/admin/courses/course/{scene['course'].pk}/change/", "instructors")
    assert scene["stranger"] in set(field.queryset) and scene["boss"] not in set(field.queryset)
