"""POST /api/v1/enrollments/{id}/activities/{id}/watch/: the parts of a video a learner played, counted once."""
from __future__ import annotations

import pytest

from courses.enrollments import services
from courses.enrollments.models import ActivityProgress, Enrollment, VideoWatch
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return build_course(activities=[
        {"title": "Talk", "lesson": {"content_type": "video", "video_duration_seconds": 100}},
        {"title": "Notes", "lesson": {"content_type": "article", "body": "Words."}},
    ])


@pytest.fixture
def learner(org):
    return people.member(org)


@pytest.fixture
def enrollment(course, learner) -> Enrollment:
    return services.enrollment_create(user=learner, course=course)[0]


def watch(client, enrollment, activity, ranges):
    return client.post(f"/api/v1/enrollments/{enrollment.pk}/activities/{activity.pk}/watch/", {"ranges": ranges},
                       format="json")


def progress(enrollment, activity) -> ActivityProgress:
    return ActivityProgress.objects.get(enrollment=enrollment, activity=activity)


def test_seconds_watched_count_once_and_never_go_down(client_for, learner, enrollment, course):
    talk = activities_of(course)[0]
    client = client_for(learner)
    first = watch(client, enrollment, talk, [[0, 30.5], [20, 40]])
    assert first.status_code == 200, first.content
    assert first.json() == {"seconds_watched": 40, "duration_seconds": 100, "completed": False}
    assert progress(enrollment, talk).time_spent_seconds == 40
    again = watch(client, enrollment, talk, [[0, 40]])  # the same part, sent again (a resent report)
    assert again.json()["seconds_watched"] == 40 and progress(enrollment, talk).time_spent_seconds == 40
    smaller = watch(client, enrollment, talk, [[10, 15]])  # a later page view that played less
    assert smaller.json()["seconds_watched"] == 40
    later = watch(client, enrollment, talk, [[35, 60]])
    assert later.json()["seconds_watched"] == 60 and progress(enrollment, talk).time_spent_seconds == 60
    assert VideoWatch.objects.get().ranges == [[0.0, 60.0]]


def test_watching_ninety_percent_completes_the_lesson_and_never_counts_past_the_end(client_for, learner, enrollment,
                                                                                   course):
    talk = activities_of(course)[0]
    body = watch(client_for(learner), enrollment, talk, [[0, 50], [55, 95], [99, 5000]]).json()
    assert body == {"seconds_watched": 91, "duration_seconds": 100, "completed": True}
    row = progress(enrollment, talk)
    assert row.status == ActivityProgress.Status.PASSED and row.time_spent_seconds == 91
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 50


def test_bad_ranges_are_refused_and_nothing_is_recorded(client_for, learner, enrollment, course):
    talk = activities_of(course)[0]
    client = client_for(learner)
    for body in ({}, {"ranges": "0-10"}, {"ranges": [[0]]}, {"ranges": [[0, 1, 2]]}, {"ranges": [["a", 3]]},
                 {"ranges": [[-1, 3]]}, {"ranges": [[0, 90_000]]}, {"ranges": [[0, 1]] * 501}):
        response = client.post(f"/api/v1/enrollments/{enrollment.pk}/activities/{talk.pk}/watch/", body,
                               format="json")
        assert "ranges" in assert_error(response, 400)["fields"], body
    assert_error(watch(client, enrollment, talk, [[30, 10]]), 422, "invalid_time")
    assert not VideoWatch.objects.exists() and not ActivityProgress.objects.exists()


def test_an_article_has_no_video_to_watch(client_for, learner, enrollment, course):
    notes = activities_of(course)[1]
    assert_error(watch(client_for(learner), enrollment, notes, [[0, 10]]), 409, "not_a_video")


def test_someone_elses_enrollment_or_another_course_is_404(client_for, org, enrollment, course):
    talk = activities_of(course)[0]
    assert_error(watch(client_for(people.member(org)), enrollment, talk, [[0, 10]]), 404)
    other = activities_of(build_course(activities=[{"title": "Else", "lesson": {"content_type": "video"}}]))[0]
    assert_error(watch(client_for(enrollment.user), enrollment, other, [[0, 10]]), 404)
    assert not VideoWatch.objects.exists()


def test_a_withdrawn_enrollment_records_nothing(client_for, learner, enrollment, course):
    services.enrollment_withdraw(enrollment=enrollment)
    assert_error(watch(client_for(learner), enrollment, activities_of(course)[0], [[0, 10]]), 409,
                 "enrollment_not_active")
    assert not VideoWatch.objects.exists()
