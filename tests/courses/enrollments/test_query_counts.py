"""Query counts of the list and detail endpoints: the same at N and 2N rows, and small.

Each test measures the endpoint at two sizes and requires equal counts (an N+1 would add N
queries), then pins the count with ``django_assert_max_num_queries``.
"""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.ratings.models import Rating
from lms.models import User
from tests import factories as people
from tests.courses.factories import (
    ActivityFactory,
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    TagFactory,
)

# Pinned to what the endpoints take (the same on SQLite and PostgreSQL): one query for the
# caller's roles, then the page's count, rows and prefetches.
MAX_COURSE_LIST = 5  # roles, count, courses (+category, organization, is_enrolled), tags, cover sizes
MAX_COURSE_DETAIL = 10  # roles, course, tags, cover sizes, modules, activities+lessons, instructors, related (2),
# enrollment
MAX_ENROLLMENT_LIST = 3  # roles, count, enrollments (+course, user, organization)
MAX_ENROLLMENT_DETAIL = 4  # roles, enrollment, activities (+module), progress
MAX_RATING_LIST = 4  # roles, course, count, ratings (+user)


def _measure(client_for, user_pk: int, url: str) -> tuple[int, dict]:
    """Queries for one request by a freshly loaded user (nothing cached on the instance)."""
    client = client_for(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def _courses(count: int, start: int, learner) -> None:
    categories = [CategoryFactory(slug=f"cat-{n}") for n in range(3)]
    tags = [TagFactory(slug=f"tag-{n}") for n in range(5)]
    for n in range(start, start + count):
        course = CourseFactory(slug=f"c-{n:03d}", category=categories[n % 3], tags=[tags[n % 5], tags[(n + 1) % 5]])
        if n % 2:
            EnrollmentFactory(user=learner, course=course)


def test_course_list(client_for, django_assert_max_num_queries, org):
    learner = people.member(org)
    _courses(25, 0, learner)
    small, body = _measure(client_for, learner.pk, "/api/v1/courses/")
    assert body["count"] == 25
    _courses(25, 25, learner)
    large, body = _measure(client_for, learner.pk, "/api/v1/courses/")
    assert (body["count"], len(body["results"])) == (50, 50)
    assert all(len(row["tags"]) == 2 and row["category"] for row in body["results"])
    assert sum(row["is_enrolled"] for row in body["results"]) == 25
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=learner.pk))
    with django_assert_max_num_queries(MAX_COURSE_LIST):
        client.get("/api/v1/courses/")


def _outline(course, modules: int, activities: int) -> None:
    for m in range(modules):
        module = ModuleFactory(course=course, position=m)
        for a in range(activities):
            activity = ActivityFactory(module=module, position=a, kind="lesson" if a % 2 == 0 else "quiz")
            if activity.kind == "lesson":
                LessonFactory(activity=activity)


def test_course_detail(client_for, django_assert_max_num_queries, org):
    learner = people.member(org)
    category = CategoryFactory(slug="listening")
    tone, calm = TagFactory(slug="tone"), TagFactory(slug="calm")
    small_course = CourseFactory(slug="small", category=category, tags=[tone, calm],
                                 instructors=[people.UserFactory()])
    big_course = CourseFactory(slug="big", category=category, tags=[tone, calm],
                               instructors=[people.UserFactory(), people.UserFactory()])
    for n in range(6):
        CourseFactory(slug=f"related-{n}", category=category if n % 2 else None, tags=[tone] if n % 3 else [calm])
    _outline(small_course, 2, 2)
    _outline(big_course, 10, 10)
    EnrollmentFactory(user=learner, course=small_course)
    EnrollmentFactory(user=learner, course=big_course)

    small, body = _measure(client_for, learner.pk, "/api/v1/courses/small/")
    assert sum(len(m["activities"]) for m in body["modules"]) == 4
    large, body = _measure(client_for, learner.pk, "/api/v1/courses/big/")
    assert (len(body["modules"]), sum(len(m["activities"]) for m in body["modules"])) == (10, 100)
    assert len(body["related"]) == 4 and len(body["instructors"]) == 2
    assert body["enrollment"]["status"] == "active"
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=learner.pk))
    with django_assert_max_num_queries(MAX_COURSE_DETAIL):
        client.get("/api/v1/courses/big/")


def test_enrollment_list_as_the_learner(client_for, django_assert_max_num_queries, org):
    learner = people.member(org)
    for n in range(50):
        EnrollmentFactory(user=learner, organization=org, course=CourseFactory(slug=f"a-{n}"))
    small, body = _measure(client_for, learner.pk, "/api/v1/enrollments/?page_size=200")
    assert body["count"] == 50
    for n in range(50):
        EnrollmentFactory(user=learner, organization=org, course=CourseFactory(slug=f"b-{n}"))
    large, body = _measure(client_for, learner.pk, "/api/v1/enrollments/?page_size=200")
    assert (body["count"], len(body["results"])) == (100, 100)
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=learner.pk))
    with django_assert_max_num_queries(MAX_ENROLLMENT_LIST):
        client.get("/api/v1/enrollments/?page_size=200")


def test_enrollment_list_as_hr(client_for, django_assert_max_num_queries, org, other_org):
    hr = people.member(org, "hr")
    courses = [CourseFactory(slug=f"c-{n}") for n in range(5)]

    def enroll(count: int) -> None:
        for n in range(count):
            EnrollmentFactory(user=people.member(org), organization=org, course=courses[n % 5])
        EnrollmentFactory(user=people.member(other_org), organization=other_org, course=courses[0])

    enroll(50)
    small, body = _measure(client_for, hr.pk, "/api/v1/enrollments/?page_size=200")
    assert body["count"] == 50
    enroll(50)
    large, body = _measure(client_for, hr.pk, "/api/v1/enrollments/?page_size=200")
    assert (body["count"], len(body["results"])) == (100, 100)
    assert {row["organization"] for row in body["results"]} == {org.slug}
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=hr.pk))
    with django_assert_max_num_queries(MAX_ENROLLMENT_LIST):
        client.get("/api/v1/enrollments/?page_size=200")


def test_enrollment_detail(client_for, django_assert_max_num_queries, org):
    from courses.enrollments import services

    learner = people.member(org)
    small_course, big_course = CourseFactory(slug="small"), CourseFactory(slug="big")
    _outline(small_course, 2, 2)
    _outline(big_course, 10, 10)
    ids = {}
    for course in (small_course, big_course):
        enrollment = EnrollmentFactory(user=learner, course=course, organization=org)
        for activity in course.activities.all()[::3]:
            services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=90)
        ids[course.slug] = enrollment.pk
    small, _ = _measure(client_for, learner.pk, f"/api/v1/enrollments/{ids['small']}/")
    large, body = _measure(client_for, learner.pk, f"/api/v1/enrollments/{ids['big']}/")
    assert len(body["activities"]) == 100
    assert sum(row["status"] == "passed" for row in body["activities"]) == 34
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=learner.pk))
    with django_assert_max_num_queries(MAX_ENROLLMENT_DETAIL):
        client.get(f"/api/v1/enrollments/{ids['big']}/")


def test_rating_list(client_for, django_assert_max_num_queries, org):
    count = 20
    course = CourseFactory(slug="rated")
    viewer = people.member(org)

    def rate(n: int) -> None:
        for _ in range(n):
            Rating.objects.create(user=people.UserFactory(), course=course, stars=4)

    rate(count)
    small, _ = _measure(client_for, viewer.pk, "/api/v1/courses/rated/ratings/")
    rate(count)
    large, body = _measure(client_for, viewer.pk, "/api/v1/courses/rated/ratings/")
    assert body["count"] == 2 * count
    assert small == large, (small, large)
    client = client_for(User.objects.get(pk=viewer.pk))
    with django_assert_max_num_queries(MAX_RATING_LIST):
        client.get("/api/v1/courses/rated/ratings/")
