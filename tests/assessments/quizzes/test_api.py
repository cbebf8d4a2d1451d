"""The quiz API: answers hidden until submission, reveal policies, scope, bad input, staff endpoints."""
from __future__ import annotations

import pytest

from assessments.quizzes.models import Attempt, AttemptAnswer, Quiz
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from courses.enrollments.models import ActivityProgress
from tests import factories as people
from tests.assessments.factories import enroll, quiz_course, right_answers, wrong_answers
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, other_org):
    instructor = people.member(org, "instructor")
    course, quiz = quiz_course(questions=3, instructor=instructor, max_attempts=3)
    quiz_authoring.question_create(quiz=quiz, kind="short_text", prompt="Name it.", accepted_answers=["empathy"],
                                   feedback="It is empathy.")
    learner, other_learner = people.member(org), people.member(org)
    return {"instructor": instructor, "course": course, "quiz": quiz, "learner": learner,
            "enrollment": enroll(course, learner), "other_learner": other_learner,
            "other_enrollment": enroll(course, other_learner),
            "stranger_instructor": people.member(other_org, "instructor"), "outsider": people.member(org)}


def _start(client, quiz):
    return client.post(f"/api/v1/activities/{quiz.activity_id}/quiz/attempts/")


def _submit(client, attempt_id, answers):
    return client.post(f"/api/v1/quiz-attempts/{attempt_id}/submit/", {"answers": answers}, format="json")


def test_start_shows_questions_without_answers(client_for, world):
    client = client_for(world["learner"])
    info = client.get(f"/api/v1/activities/{world['quiz'].activity_id}/quiz/").json()
    assert info["question_count"] == 4 and info["you"]["attempts_left"] == 3
    response = _start(client, world["quiz"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "in_progress" and body["answers_revealed"] is False
    assert len(body["questions"]) == 4
    for question in body["questions"]:
        assert question["answer"] is None and question["result"] is None
        assert all(choice["correct"] is None and choice["feedback"] is None for choice in question["choices"])
    assert "empathy" not in response.content.decode()
    assert "correct\": true" not in response.content.decode()
    again = _start(client, world["quiz"])
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert client.get(f"/api/v1/quiz-attempts/{body['id']}/").json()["questions"] == body["questions"]


def test_submit_grades_reveals_and_double_submit_is_idempotent(client_for, world):
    client = client_for(world["learner"])
    attempt_id = _start(client, world["quiz"]).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    response = _submit(client, attempt_id, right_answers(attempt))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["score"], body["passed"], body["answers_revealed"]) == (
        "submitted", "100.00", True, True)
    text_question = next(q for q in body["questions"] if q["kind"] == "short_text")
    assert text_question["result"] == {"correct": True, "points": "1.00", "accepted_answers": ["empathy"],
                                       "feedback": "It is empathy."}
    rows = (AttemptAnswer.objects.count(), ActivityProgress.objects.get(activity=world["quiz"].activity).attempts)
    again = _submit(client, attempt_id, wrong_answers(attempt))
    assert again.status_code == 200 and again.json() == body
    assert (AttemptAnswer.objects.count(),
            ActivityProgress.objects.get(activity=world["quiz"].activity).attempts) == rows


@pytest.mark.parametrize(("policy", "revealed_after_fail", "revealed_after_pass"), [
    (Quiz.Reveal.NEVER, False, False),
    (Quiz.Reveal.AFTER_SUBMISSION, True, True),
    (Quiz.Reveal.AFTER_PASSING_OR_LAST, False, True),
])
def test_reveal_policy(client_for, world, policy, revealed_after_fail, revealed_after_pass):
    quiz_authoring.quiz_update(quiz=world["quiz"], reveal_answers=policy)
    client = client_for(world["learner"])
    first = _start(client, world["quiz"]).json()["id"]
    failed = _submit(client, first, wrong_answers(Attempt.objects.get(pk=first))).json()
    assert failed["answers_revealed"] is revealed_after_fail
    if not revealed_after_fail:
        assert all(q["result"] is None for q in failed["questions"])
        assert all(c["correct"] is None for q in failed["questions"] for c in q["choices"])
        assert failed["questions"][0]["answer"] is not None  # one's own answers are always shown
    second = _start(client, world["quiz"]).json()["id"]
    passed = _submit(client, second, right_answers(Attempt.objects.get(pk=second))).json()
    assert passed["answers_revealed"] is revealed_after_pass
    # The earlier attempt follows the same policy once the learner has passed.
    assert client.get(f"/api/v1/quiz-attempts/{first}/").json()["answers_revealed"] is revealed_after_pass


def test_after_last_attempt_reveals(client_for, world):
    quiz_authoring.quiz_update(quiz=world["quiz"], reveal_answers=Quiz.Reveal.AFTER_PASSING_OR_LAST, max_attempts=2)
    client = client_for(world["learner"])
    bodies = []
    for _ in range(2):
        attempt_id = _start(client, world["quiz"]).json()["id"]
        bodies.append(_submit(client, attempt_id, wrong_answers(Attempt.objects.get(pk=attempt_id))).json())
    assert [b["answers_revealed"] for b in bodies] == [False, True]
    assert_error(_start(client, world["quiz"]), 409, "max_attempts_reached")


def test_attempt_scope(client_for, world):
    attempt, _ = quiz_attempts.attempt_start(quiz=world["quiz"], enrollment=world["enrollment"])
    mine = client_for(world["learner"])
    assert mine.get(f"/api/v1/quiz-attempts/{attempt.pk}/").status_code == 200
    for outsider in ("other_learner", "stranger_instructor", "outsider"):
        client = client_for(world[outsider])
        assert_error(client.get(f"/api/v1/quiz-attempts/{attempt.pk}/"), 404)
        assert_error(_submit(client, attempt.pk, []), 404)
    # The course's instructor sees it, with the key, but cannot submit for the learner.
    staff = client_for(world["instructor"])
    assert staff.get(f"/api/v1/quiz-attempts/{attempt.pk}/").status_code == 200
    assert_error(_submit(staff, attempt.pk, []), 404)
    assert Attempt.objects.get(pk=attempt.pk).status == "in_progress"


def test_attempt_lists(client_for, world):
    quiz_attempts.attempt_start(quiz=world["quiz"], enrollment=world["enrollment"])
    quiz_attempts.attempt_start(quiz=world["quiz"], enrollment=world["other_enrollment"])
    _, elsewhere = quiz_course(questions=1)
    quiz_attempts.attempt_start(quiz=elsewhere, enrollment=enroll(elsewhere.activity.course))

    def emails(user, query=""):
        body = client_for(user).get(f"/api/v1/quiz-attempts/{query}").json()
        return sorted(row["learner"]["email"] for row in body["results"])

    assert emails(world["learner"]) == [world["learner"].email]
    assert emails(world["instructor"]) == sorted([world["learner"].email, world["other_learner"].email])
    assert emails(world["instructor"], f"?course={world['course'].slug}&status=in_progress") == sorted(
        [world["learner"].email, world["other_learner"].email])
    assert emails(world["instructor"], "?mine=true") == []
    assert emails(world["stranger_instructor"]) == []


def test_quiz_scope(client_for, world):
    url = f"/api/v1/activities/{world['quiz'].activity_id}/quiz/"
    assert_error(client_for(world["outsider"]).get(url), 404)  # not enrolled
    assert_error(client_for(world["stranger_instructor"]).get(url), 404)
    assert_error(_start(client_for(world["outsider"]), world["quiz"]), 404)
    staff = client_for(world["instructor"])
    assert staff.get(url).json()["you"] is None
    assert_error(_start(staff, world["quiz"]), 409, "enrollment_required")
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("payload", [
    {"answers": "all of them"},
    {"answers": [{"question": "1", "choices": []}]},  # a string instead of an id
    {"answers": [{"question": 1, "choices": ["2"]}]},
    {"answers": [{"question": True, "choices": []}]},
    {"answers": [{"question": 1, "choices": [1], "text": "both"}]},
    {"answers": [{"question": 1, "choices": list(range(1, 30))}]},
    {"answers": [{"question": n, "choices": []} for n in range(1, 600)]},
    {"answers": [{"question": 1, "text": "x" * 1001}]},
    {"answers": [{"question": 10**20, "choices": []}]},
    {},
])
def test_malformed_submissions_are_400_and_record_nothing(client_for, world, payload):
    client = client_for(world["learner"])
    attempt_id = _start(client, world["quiz"]).json()["id"]
    response = client.post(f"/api/v1/quiz-attempts/{attempt_id}/submit/", payload, format="json")
    assert_error(response, 400, "invalid")
    assert Attempt.objects.get(pk=attempt_id).status == "in_progress"
    assert not AttemptAnswer.objects.exists() and not ActivityProgress.objects.exists()


def test_domain_errors_through_the_api(client_for, world):
    client = client_for(world["learner"])
    attempt_id = _start(client, world["quiz"]).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    first = attempt.layout[0]
    assert_error(_submit(client, attempt_id, [{"question": first["question"], "choices": [first["choices"][0]]}] * 2),
                 422, "duplicate_answer")
    assert_error(_submit(client, attempt_id, [{"question": 999_999, "choices": []}]), 422, "unknown_question")
    assert_error(_submit(client, attempt_id, [{"question": first["question"], "choices": [999_999]}]), 422,
                 "unknown_choice")
    from datetime import timedelta

    from django.utils import timezone

    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(seconds=6))
    assert_error(_submit(client, attempt_id, right_answers(attempt)), 409, "attempt_expired")
    assert not AttemptAnswer.objects.exists() and not ActivityProgress.objects.exists()


def test_statistics_for_staff_only(client_for, world):
    for enrollment, answers in ((world["enrollment"], right_answers), (world["other_enrollment"], wrong_answers)):
        attempt, _ = quiz_attempts.attempt_start(quiz=world["quiz"], enrollment=enrollment)
        quiz_attempts.attempt_submit(attempt=attempt, answers=answers(attempt))
    url = f"/api/v1/activities/{world['quiz'].activity_id}/quiz/statistics/"
    body = client_for(world["instructor"]).get(url).json()
    assert (body["attempts"], body["learners"], body["passed"], body["average_score"]) == (2, 2, 1, 50.0)
    assert [(q["shown"], q["answered"], q["correct"], q["correct_rate"]) for q in body["questions"]] == [
        (2, 2, 1, 0.5)] * 4
    assert_error(client_for(world["learner"]).get(url), 403)
    assert_error(client_for(world["stranger_instructor"]).get(url), 404)


def test_export_and_import_over_the_api(client_for, world):
    staff = client_for(world["instructor"])
    export = staff.get(f"/api/v1/activities/{world['quiz'].activity_id}/quiz/export/")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    document = export.json()
    assert len(document["questions"]) == 4
    from assessments.quizzes.services.authoring import quiz_activity_create

    target = quiz_activity_create(module=world["course"].modules.get(), title="Copy").activity
    response = staff.put(f"/api/v1/activities/{target.pk}/quiz/import/", document, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["questions"] == document["questions"]
    assert_error(client_for(world["learner"]).put(f"/api/v1/activities/{target.pk}/quiz/import/", document,
                                                  format="json"), 403)
    assert_error(client_for(world["stranger_instructor"]).put(f"/api/v1/activities/{target.pk}/quiz/import/",
                                                              document, format="json"), 404)
    assert_error(staff.put(f"/api/v1/activities/{target.pk}/quiz/import/", {**document, "version": "1"},
                           format="json"), 422, "invalid_import")
    assert_error(client_for(world["learner"]).get(f"/api/v1/activities/{world['quiz'].activity_id}/quiz/export/"),
                 403)
