"""The gradebook's page and API take the same number of queries at 50 and at 500 learners (20 activities)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.enrollments.models import ActivityProgress, Enrollment
from lms.models import Membership, User
from tests.courses.factories import activities_of, build_course
from tests.factories import DepartmentFactory, member

pytestmark = pytest.mark.django_db

ACTIVITIES = 20


@pytest.fixture
def course_of_twenty(org):
    instructor = member(org, "instructor")
    course = build_course(slug="twenty-steps", organization=org,
                          activities=[{"title": f"Step {n}"} for n in range(1, ACTIVITIES + 1)])
    course.instructors.add(instructor)
    return course, instructor, DepartmentFactory(organization=org, name="Care")


def _seed(course, department, start: int, count: int) -> None:
    """``count`` learners of the course's organization, each with a result on every other activity."""
    users = User.objects.bulk_create([User(email=f"learner{n}@example.com", first_name=f"Learner{n:04d}",
                                           last_name="Silva") for n in range(start, start + count)])
    Membership.objects.bulk_create([Membership(user=user, organization=course.organization, department=department)
                                    for user in users])
    enrollments = Enrollment.objects.bulk_create([Enrollment(user=user, course=course,
                                                             organization=course.organization) for user in users])
    activities = activities_of(course)
    ActivityProgress.objects.bulk_create([
        ActivityProgress(enrollment=enrollment, activity=activity, status="passed", score=80, attempts=1)
        for enrollment in enrollments for activity in activities[::2]])


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", ["page", "api"])
def test_queries_do_not_grow_with_the_learners(client, client_for, course_of_twenty, kind,
                                               django_assert_num_queries):
    course, instructor, department = course_of_twenty
    if kind == "page":
        client.force_login(instructor)
        caller, url = client, reverse("pages:teach-gradebook", args=[course.slug]) + "?sort=-progress&page=1"
    else:
        caller, url = client_for(instructor), f"/api/v1/courses/{course.slug}/gradebook/?sort=-progress"
    _seed(course, department, 0, 50)
    caller.get(url)  # the first request of a session does its own one-off work
    at_fifty = _count(caller, url)
    _seed(course, department, 50, 450)
    with django_assert_num_queries(at_fifty):
        response = caller.get(url)
    assert response.status_code == 200
    if kind == "api":
        body = response.json()
        assert body["count"] == 500 and len(body["results"]) == 50
        assert len(body["results"][0]["cells"]) == ACTIVITIES
    else:
        assert response.text.count('scope="row"') == 50
    assert at_fifty <= 16


def test_the_learner_detail_and_the_filtered_page_stay_small(client, course_of_twenty, django_assert_max_num_queries):
    course, instructor, department = course_of_twenty
    _seed(course, department, 0, 500)
    client.force_login(instructor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("pages:teach-gradebook", args=[course.slug])
                              + f"?department={department.pk}&overdue=no&status=active&sort=due&page=10")
    assert response.status_code == 200 and "Page 10 of 10" in response.text
    enrollment = Enrollment.objects.filter(course=course).order_by("pk").last()
    with django_assert_max_num_queries(16):
        response = client.get(reverse("pages:teach-gradebook-learner", args=[course.slug, enrollment.pk]))
    assert response.status_code == 200
