"""Extensions from the gradebook: a later due date, an extra quiz attempt, more quiz time; the quiz rules honour
them, for that learner and that quiz only; bad requests write nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.quizzes.errors import AttemptConflict
from assessments.quizzes.services import attempts as quiz_attempts
from courses.enrollments.models import Extension
from courses.enrollments.services import gradebook as gradebook_services
from tests.assessments.factories import enroll, quiz_course, wrong_answers
from tests.courses.factories import activities_of, build_course
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_world(org):
    instructor = member(org, "instructor")
    course, quiz = quiz_course(questions=2, organization=org, max_attempts=1, time_limit_seconds=600)
    course.instructors.add(instructor)
    learner = member(org, "learner")
    enrollment = enroll(course, learner)
    return {"course": course, "quiz": quiz, "instructor": instructor, "enrollment": enrollment, "org": org}


def _use_the_only_attempt(world):
    attempt, _ = quiz_attempts.attempt_start(quiz=world["quiz"], enrollment=world["enrollment"])
    quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))


def test_a_learner_at_the_attempt_limit_may_start_one_more_after_an_extra_attempt(client, quiz_world):
    _use_the_only_attempt(quiz_world)
    with pytest.raises(AttemptConflict):
        quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=quiz_world["enrollment"])
    client.force_login(quiz_world["instructor"])
    url = reverse("pages:teach-gradebook-extend", args=[quiz_world["course"].slug, quiz_world["enrollment"].pk])
    response = client.post(url, {"extension-kind": "extra_attempt",
                                 "extension-activity": quiz_world["quiz"].activity_id, "extension-amount": "1",
                                 "extension-reason": "The network failed mid-quiz."})
    assert response.status_code == 302
    attempt, created = quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=quiz_world["enrollment"])
    assert created and attempt.number == 2
    quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    with pytest.raises(AttemptConflict):  # one more, not unlimited
        quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=quiz_world["enrollment"])
    page = client.get(reverse("pages:teach-gradebook-learner",
                              args=[quiz_world["course"].slug, quiz_world["enrollment"].pk])).text
    assert "1 more attempt at Check your understanding" in page and "The network failed mid-quiz." in page


def test_another_learner_keeps_the_quizs_own_limit(quiz_world):
    gradebook_services.extension_grant(actor=quiz_world["instructor"], enrollment=quiz_world["enrollment"],
                                       kind="extra_attempt", activity=quiz_world["quiz"].activity, amount=2,
                                       reason="Sick day.")
    other = enroll(quiz_world["course"], member(quiz_world["org"], "learner"))
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=other)
    quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    with pytest.raises(AttemptConflict):
        quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=other)


def test_more_time_makes_the_next_attempts_clock_longer(client_for, quiz_world):
    url = (f"/api/v1/courses/{quiz_world['course'].slug}/gradebook/{quiz_world['enrollment'].pk}/extensions/")
    response = client_for(quiz_world["instructor"]).post(url, {
        "kind": "extra_time", "activity": quiz_world["quiz"].activity_id, "amount": 15,
        "reason": "Screen reader user."}, format="json")
    assert response.status_code == 201, response.content
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz_world["quiz"], enrollment=quiz_world["enrollment"])
    assert attempt.deadline - attempt.started_at == timedelta(minutes=10 + 15)


def test_a_later_due_date_moves_the_enrollments_due_date_and_keeps_the_earlier(client, quiz_world):
    enrollment = quiz_world["enrollment"]
    client.force_login(quiz_world["instructor"])
    later = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    url = reverse("pages:teach-gradebook-extend", args=[quiz_world["course"].slug, enrollment.pk])
    response = client.post(url, {"extension-kind": "due_date", "extension-due_at": later.strftime("%Y-%m-%dT%H:%M"),
                                 "extension-reason": "Parental leave."})
    assert response.status_code == 302
    previous = enrollment.due_at
    enrollment.refresh_from_db()
    assert enrollment.due_at == later
    extension = Extension.objects.get()
    assert (extension.previous_due_at, extension.granted_by_id) == (previous, quiz_world["instructor"].pk)


@pytest.mark.parametrize("data", [
    {"extension-kind": "due_date", "extension-reason": "No date."},
    {"extension-kind": "due_date", "extension-due_at": "2001-01-01T10:00", "extension-reason": "In the past."},
    {"extension-kind": "extra_attempt", "extension-amount": "1", "extension-reason": "No quiz."},
    {"extension-kind": "extra_attempt", "extension-activity": "QUIZ", "extension-amount": "1",
     "extension-reason": ""},
    {"extension-kind": "extra_time", "extension-activity": "QUIZ", "extension-amount": "0",
     "extension-reason": "Zero minutes."},
])
def test_a_bad_extension_is_400_and_writes_nothing(client, quiz_world, data):
    client.force_login(quiz_world["instructor"])
    enrollment = quiz_world["enrollment"]
    due = enrollment.due_at
    data = {key: (str(quiz_world["quiz"].activity_id) if value == "QUIZ" else value) for key, value in data.items()}
    response = client.post(reverse("pages:teach-gradebook-extend", args=[quiz_world["course"].slug, enrollment.pk]),
                           data)
    assert response.status_code == 400
    assert 'class="errors"' in response.text
    assert not Extension.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.due_at == due


def test_the_api_refuses_an_extra_attempt_on_a_lesson(client_for, org):
    course = build_course(organization=org, activities=[{"title": "Read first"}])
    instructor = member(org, "instructor")
    course.instructors.add(instructor)
    enrollment = enroll(course, member(org, "learner"))
    (lesson,) = activities_of(course)
    response = client_for(instructor).post(f"/api/v1/courses/{course.slug}/gradebook/{enrollment.pk}/extensions/", {
        "kind": "extra_attempt", "activity": lesson.pk, "amount": 1, "reason": "Why not."}, format="json")
    assert response.status_code == 422  # well-formed, but a lesson has no attempts to extend
    assert response.json()["error"]["code"] == "invalid_extension"
    assert "activity" in response.json()["error"]["fields"]
    assert not Extension.objects.exists()


def test_the_quiz_page_offers_the_extra_attempt_to_the_learner(client, quiz_world):
    """The learner's own quiz page counts the extension: "1 of 2 used" and a Start button, where it said every
    attempt was used."""
    _use_the_only_attempt(quiz_world)
    learner = quiz_world["enrollment"].user
    activity = quiz_world["quiz"].activity
    page = reverse("pages:activity", args=[quiz_world["course"].slug, activity.pk])
    client.force_login(learner)
    before = client.get(page).text
    assert "1 of 1 used" in before and reverse("pages:quiz-start", args=[activity.pk]) not in before
    gradebook_services.extension_grant(actor=quiz_world["instructor"], enrollment=quiz_world["enrollment"],
                                       kind="extra_attempt", activity=activity, amount=1, reason="Power cut.")
    after = client.get(page).text
    assert "1 of 2 used" in after
    assert reverse("pages:quiz-start", args=[activity.pk]) in after
