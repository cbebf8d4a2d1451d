"""Ratings: courses.ratings.services and /api/v1/courses/{slug}/rating(s)/."""
from __future__ import annotations

from decimal import Decimal

import pytest

from courses.catalog.models import Course
from courses.enrollments import services as enrollment_services
from courses.errors import CoursesError
from courses.ratings import services as rating_services
from courses.ratings.models import Rating
from lms.errors import NotFound
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.helpers import assert_error

URL = "/api/v1/courses/four-steps/rating/"


@pytest.fixture
def course(db):
    return build_course(slug="four-steps", activities=[{"title": f"Step {n}"} for n in range(1, 5)])


def learner_at(course, org, steps: int):
    """A learner enrolled in ``course`` who has passed its first ``steps`` lessons."""
    learner = people.member(org)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    for activity in activities_of(course)[:steps]:
        enrollment_services.lesson_complete(enrollment=enrollment, activity=activity)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == steps * 25
    return learner


def _stats(course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    return course.rating_average, course.rating_count


def test_below_half_way_cannot_rate(client_for, course, org):
    client = client_for(learner_at(course, org, 1))
    assert_error(client.put(URL, {"stars": 5}, format="json"), 403, "rating_not_allowed")
    assert not Rating.objects.exists()
    assert _stats(course) == (None, 0)


def test_not_enrolled_cannot_rate(client_for, course, org):
    assert_error(client_for(people.member(org)).put(URL, {"stars": 5}, format="json"), 403, "rating_not_allowed")
    assert not Rating.objects.exists()


def test_withdrawn_learner_cannot_rate_even_past_half_way(client_for, course, org):
    learner = learner_at(course, org, 3)
    enrollment_services.enrollment_withdraw(enrollment=learner.enrollments.get())
    assert_error(client_for(learner).put(URL, {"stars": 4}, format="json"), 403, "rating_not_allowed")


def test_half_way_rates_then_edits_one_row(client_for, course, org):
    learner = learner_at(course, org, 2)
    client = client_for(learner)
    created = client.put(URL, {"stars": 4, "review": "  Practical.  "}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["stars"], created.json()["review"]) == (4, "Practical.")
    assert _stats(course) == (Decimal("4.00"), 1)

    edited = client.put(URL, {"stars": 2}, format="json")
    assert edited.status_code == 200
    assert Rating.objects.filter(user=learner, course=course).count() == 1
    assert Rating.objects.get(user=learner).stars == 2
    assert _stats(course) == (Decimal("2.00"), 1)
    assert client.get(URL).json()["stars"] == 2


def test_completed_learner_may_rate_and_the_average_is_kept(client_for, course, org):
    done = learner_at(course, org, 4)
    assert done.enrollments.get().status == "completed"
    assert client_for(done).put(URL, {"stars": 5}, format="json").status_code == 201
    assert client_for(learner_at(course, org, 2)).put(URL, {"stars": 4}, format="json").status_code == 201
    assert client_for(learner_at(course, org, 3)).put(URL, {"stars": 4}, format="json").status_code == 201
    assert _stats(course) == (Decimal("4.33"), 3)

    listing = client_for(people.member(org)).get("/api/v1/courses/four-steps/ratings/").json()
    assert listing["count"] == 3
    card = client_for(done).get("/api/v1/courses/four-steps/").json()
    assert card["rating"] == {"average": 4.33, "count": 3}


@pytest.mark.parametrize("stars", [0, 6, -1, "five", None, 4.5])
def test_stars_out_of_range_are_a_400(client_for, course, org, stars):
    client = client_for(learner_at(course, org, 2))
    error = assert_error(client.put(URL, {"stars": stars}, format="json"), 400, "invalid")
    assert "stars" in error["fields"]
    assert not Rating.objects.exists()


def test_review_too_long_is_a_400(client_for, course, org):
    client = client_for(learner_at(course, org, 2))
    assert "review" in assert_error(client.put(URL, {"stars": 3, "review": "x" * 2001}, format="json"), 400)["fields"]
    assert not Rating.objects.exists()


def test_delete_rating(client_for, course, org):
    first, second = learner_at(course, org, 2), learner_at(course, org, 4)
    client_for(first).put(URL, {"stars": 1}, format="json")
    client_for(second).put(URL, {"stars": 5}, format="json")
    assert _stats(course) == (Decimal("3.00"), 2)

    assert client_for(first).delete(URL).status_code == 204
    assert _stats(course) == (Decimal("5.00"), 1)
    assert list(Rating.objects.values_list("user_id", flat=True)) == [second.pk]
    assert_error(client_for(first).delete(URL), 404)
    assert_error(client_for(first).get(URL), 404)

    client_for(second).delete(URL)
    assert _stats(course) == (None, 0)


def test_rating_a_course_one_cannot_see_is_a_404(client_for, org, other_org):
    build_course(slug="private", organization=other_org, activities=[{"title": "One"}])
    assert_error(client_for(people.member(org)).put("/api/v1/courses/private/rating/", {"stars": 5},
                                                    format="json"), 404)


def test_service_rules(course, org):
    learner = learner_at(course, org, 2)
    with pytest.raises(CoursesError) as excinfo:
        rating_services.rating_upsert(user=learner, course=course, stars=6)
    assert excinfo.value.code == "invalid_rating"
    with pytest.raises(CoursesError):
        rating_services.rating_upsert(user=learner, course=course, stars=3, review="x" * 2001)
    rating, created = rating_services.rating_upsert(user=learner, course=course, stars=3)
    again, created_again = rating_services.rating_upsert(user=learner, course=course, stars=4, review="Better")
    assert (created, created_again, again.pk) == (True, False, rating.pk)
    assert (course.rating_average, course.rating_count) == (Decimal("4.00"), 1)
    rating_services.rating_delete(user=learner, course=course)
    with pytest.raises(NotFound):
        rating_services.rating_delete(user=learner, course=course)
