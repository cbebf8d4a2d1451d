"""Every /teach/ address, read from the URL configuration (a new screen cannot be left out), with the real ids
of one organization's course, session, quiz, role-play and learner:

- an instructor of another organization, and an instructor of the same organization who does not teach the
  course, get 404 on every address that names an object (a GET, or a POST where the address takes only POSTs);
- learners and HR get 403 on every address;
- the addresses that name nothing (the workspace's home and lists) open for both instructors and show nothing of
  the course they do not teach.
"""
from __future__ import annotations

import re

import pytest
from django.test import Client

from tests import factories as people
from tests.courses.factories import build_course
from tests.reliability.test_security_headers import page_routes
from tests.reliability.world import build_world, parameter

pytestmark = pytest.mark.django_db

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# The page routes' own parameters where the API's rules (tests/reliability/world.py) would pick another object.
TEACH_RULES = [
    (r"^teach/quizzes/", "activity_id", lambda w: w.quiz_activity.pk),
    (r"", "question_id", lambda w: w.quiz_activity.quiz.questions.order_by("pk").first().pk),
    (r"", "slug", lambda w: w.course.slug),
]


def teach_routes() -> list[str]:
    return [route for route in page_routes() if route.startswith("teach/")]


def fill(route: str, world) -> str:
    def value(match: re.Match) -> str:
        name = match.group("name")
        for pattern, rule_name, getter in TEACH_RULES:
            if rule_name == name and re.search(pattern, route):
                return str(getter(world))
        return parameter(route, name, world)
    return "/" + _PARAM.sub(value, route)


def answer(client: Client, path: str) -> int:
    status = client.get(path).status_code
    return client.post(path, {}).status_code if status == 405 else status


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def strangers(world):
    """An instructor who teaches a course of another organization, and a colleague of the course's own
    organization who teaches another course there."""
    elsewhere = people.member(world.other, "instructor")
    build_course(slug="elsewhere-course", publish=False, organization=world.other).instructors.add(elsewhere)
    colleague = people.member(world.org, "instructor")
    build_course(slug="colleague-course", publish=False, organization=world.org).instructors.add(colleague)
    return {"another organization's instructor": elsewhere, "a colleague who does not teach it": colleague}


def test_the_walk_finds_every_screen_of_the_workspace():
    routes = teach_routes()
    assert len(routes) >= 45
    for expected in ("teach/", "teach/courses/<slug:slug>/gradebook/", "teach/quizzes/<id:activity_id>/report/",
                     "teach/roleplays/", "teach/workshops/sessions/<id:session_id>/attendance/"):
        assert expected in routes


def test_instructors_who_do_not_teach_it_get_404_everywhere(world, strangers):
    objects = [route for route in teach_routes() if "<" in route]
    for who, person in strangers.items():
        client = Client()
        client.force_login(person)
        wrong = {route: status for route in objects if (status := answer(client, fill(route, world))) != 404}
        assert wrong == {}, who


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_are_refused_everywhere(world, role):
    client = Client()
    client.force_login(world.users[role])
    wrong = {route: status for route in teach_routes() if (status := answer(client, fill(route, world))) != 403}
    assert wrong == {}


def test_the_lists_open_for_every_instructor_and_show_only_their_own(world, strangers):
    lists = [route for route in teach_routes() if "<" not in route]
    assert "teach/courses/new/" in lists
    for who, person in strangers.items():
        client = Client()
        client.force_login(person)
        for route in lists:
            response = client.get("/" + route)
            assert response.status_code == 200, (who, route)
            assert world.course.title not in response.text, (who, route)
