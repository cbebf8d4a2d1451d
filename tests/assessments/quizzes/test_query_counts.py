"""Query counts for starting and submitting an attempt and for the per-question statistics: the same
for 10 and 50 questions (an N+1 would add a query per question), and pinned.

Equal counts at both sizes are required; the pins are what the endpoints take on SQLite and
PostgreSQL (PostgreSQL adds no query: ``select_for_update`` is part of the same statement).
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.quizzes.models import Attempt
from assessments.quizzes.services import attempts as services
from lms.models import User
from tests import factories as people
from tests.assessments.factories import enroll, quiz_course, right_answers

pytestmark = pytest.mark.django_db

# Inside the test's transaction each atomic block adds a SAVEPOINT/RELEASE pair to the count.
# start: quiz (+activity, course), roles, course visible, enrollment, can-manage; savepoint, lock the
# enrollment, earlier attempts, questions, choices, insert, release; reload the attempt, questions, choices
MAX_START = 15
# submit: attempt; savepoint, lock it, questions, choices, one bulk insert of the answers, update; the
# result (savepoint, lock enrollment, progress get-or-create (+savepoint pair, insert), save, activities,
# progress rows, save enrollment, release); release; reload the attempt, questions, choices, answers;
# whether the organization sends xAPI, once per statement the submit could write (answered, passed or
# failed, the course completed: courses/xapi, nothing written without an LRS endpoint)
MAX_SUBMIT = 26
# statistics: quiz, roles, visible, enrollment, can-manage, attempt summary, questions with aggregates
MAX_STATISTICS = 8


def _measure(user_pk: int, client_for, method: str, url: str, data=None) -> tuple[int, dict]:
    client = client_for(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, format="json") if data is not None else getattr(
            client, method)(url)
    assert response.status_code in (200, 201), response.content
    return len(queries), response.json()


def _world(org, count: int):
    instructor = people.member(org, "instructor")
    course, quiz = quiz_course(questions=count, instructor=instructor, shuffle_questions=True, shuffle_choices=True)
    learner = people.member(org)
    enroll(course, learner)
    return instructor, quiz, learner


def _start_and_submit(org, client_for, count: int) -> tuple[int, int, object]:
    instructor, quiz, learner = _world(org, count)
    start, body = _measure(learner.pk, client_for, "post", f"/api/v1/activities/{quiz.activity_id}/quiz/attempts/")
    assert len(body["questions"]) == count
    attempt = Attempt.objects.get(pk=body["id"])
    submit, body = _measure(learner.pk, client_for, "post", f"/api/v1/quiz-attempts/{attempt.pk}/submit/",
                            {"answers": right_answers(attempt)})
    assert body["score"] == "100.00"
    return start, submit, (instructor, quiz, learner)


def test_start_and_submit_are_constant(org, client_for, django_assert_max_num_queries):
    small_start, small_submit, _ = _start_and_submit(org, client_for, 10)
    large_start, large_submit, (_, quiz, _) = _start_and_submit(org, client_for, 50)
    assert (small_start, small_submit) == (large_start, large_submit)
    print(f"start={large_start} submit={large_submit}")  # shown with -s

    other = people.member(org)
    enroll(quiz.activity.course, other)
    client = client_for(User.objects.get(pk=other.pk))
    with django_assert_max_num_queries(MAX_START):
        response = client.post(f"/api/v1/activities/{quiz.activity_id}/quiz/attempts/")
    attempt = Attempt.objects.get(pk=response.json()["id"])
    answers = right_answers(attempt)
    client = client_for(User.objects.get(pk=other.pk))
    with django_assert_max_num_queries(MAX_SUBMIT):
        client.post(f"/api/v1/quiz-attempts/{attempt.pk}/submit/", {"answers": answers}, format="json")


def _statistics(org, client_for, count: int, learners: int) -> int:
    instructor, quiz, _ = _world(org, count)
    for _ in range(learners):
        attempt, _ = services.attempt_start(quiz=quiz, enrollment=enroll(quiz.activity.course))
        services.attempt_submit(attempt=attempt, answers=right_answers(attempt)[::2])
    url = f"/api/v1/activities/{quiz.activity_id}/quiz/statistics/"
    queries, body = _measure(instructor.pk, client_for, "get", url)
    assert body["attempts"] == learners and len(body["questions"]) == count
    assert sum(q["correct"] for q in body["questions"]) == learners * ((count + 1) // 2)
    return queries


def test_statistics_are_constant(org, client_for, django_assert_max_num_queries):
    small = _statistics(org, client_for, 10, 3)
    large = _statistics(org, client_for, 50, 6)
    assert small == large
    print(f"statistics={large}")
    assert large <= MAX_STATISTICS
