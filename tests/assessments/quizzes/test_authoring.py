"""assessments.quizzes.services.authoring and transfer: question rules, and JSON export/import round trips."""
from __future__ import annotations

import json

import pytest

from assessments.quizzes import selectors
from assessments.quizzes.errors import QuizAuthoringError, QuizConflict
from assessments.quizzes.models import Choice, Question, Quiz
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.quizzes.services import transfer as quiz_transfer
from courses.catalog.models import Activity
from tests.assessments.factories import enroll, quiz_course, right_answers
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "extra", "field"), [
    ("single_choice", {"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "choices"),
    ("single_choice", {"choices": [{"text": "a", "correct": True}]}, "choices"),
    ("multiple_choice", {"choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
    ("true_false", {"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "choices"),
    ("short_text", {"accepted_answers": ["   "]}, "accepted_answers"),
    ("short_text", {"accepted_answers": ["x"], "choices": [{"text": "a"}]}, "choices"),
    ("single_choice", {"choices": [{"text": "a", "correct": "yes"}, {"text": "b"}]}, "choices"),
    # What YAML makes of {text: Let them finish, then reflect, correct: true}: a cut text and a stray key.
    ("single_choice", {"choices": [{"text": "Let them finish", "then reflect": None, "correct": True},
                                   {"text": "b"}]}, "choices"),
])
def test_question_rules(kind, extra, field):
    _, quiz = quiz_course()
    with pytest.raises(QuizAuthoringError) as error:
        quiz_authoring.question_create(quiz=quiz, kind=kind, prompt="Why?", **extra)
    assert field in error.value.fields
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_quiz_needs_a_quiz_activity_and_only_one():
    course = build_course(activities=[{"title": "Read"}, {"title": "Check", "kind": "quiz"}])
    lesson, quiz_activity = activities_of(course)
    with pytest.raises(QuizConflict):
        quiz_authoring.quiz_create(activity=lesson)
    quiz_authoring.quiz_create(activity=quiz_activity)
    with pytest.raises(QuizConflict):
        quiz_authoring.quiz_create(activity=quiz_activity)


@pytest.mark.parametrize(("fields", "name"), [
    ({"passing_score": 101}, "passing_score"), ({"max_attempts": 0}, "max_attempts"),
    ({"time_limit_seconds": "60"}, "time_limit_seconds"), ({"reveal_answers": "sometimes"}, "reveal_answers"),
    ({"questions_per_attempt": True}, "questions_per_attempt"),
])
def test_quiz_setting_rules(fields, name):
    course = build_course(activities=[{"title": "Check", "kind": "quiz"}])
    with pytest.raises(QuizAuthoringError) as error:
        quiz_authoring.quiz_create(activity=activities_of(course)[0], **fields)
    assert name in error.value.fields
    assert not Quiz.objects.exists()


def test_question_update_keeps_choice_ids_it_is_given():
    _, quiz = quiz_course(questions=1)
    question = quiz.questions.get()
    first, second, third = question.choices.all()
    quiz_authoring.question_update(question=question, prompt="Reworded", choices=[
        {"id": second.pk, "text": "B", "correct": True}, {"id": first.pk, "text": "A", "correct": False},
        {"text": "New", "correct": False}])
    question.refresh_from_db()
    assert question.prompt == "Reworded"
    assert [(c.pk, c.text, c.is_correct) for c in question.choices.all()][:2] == [
        (second.pk, "B", True), (first.pk, "A", False)]
    assert not Choice.objects.filter(pk=third.pk).exists()


def _document() -> dict:
    return {
        "format": "empathy-lms/quiz", "version": 1, "title": "Imported", "passing_score": 60, "max_attempts": 2,
        "shuffle_questions": True, "reveal_answers": "never", "questions_per_attempt": 2,
        "questions": [
            {"kind": "single_choice", "prompt": "One", "points": 2, "feedback": "Because.",
             "choices": [{"text": "yes", "correct": True, "feedback": "Right."}, {"text": "no", "correct": False}]},
            {"kind": "multiple_choice", "prompt": "Many", "choices": [
                {"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]},
            {"kind": "true_false", "prompt": "TF", "correct": False},
            {"kind": "short_text", "prompt": "Word", "accepted_answers": ["empathy", "Empatia"]},
        ],
    }


def test_import_then_export_round_trips():
    course = build_course(activities=[{"title": "Check", "kind": "quiz"}])
    activity = activities_of(course)[0]
    quiz, created = quiz_transfer.quiz_import_json(activity=activity, document=json.dumps(_document()).encode())
    assert created and quiz.questions.count() == 4
    exported = selectors.quiz_document(quiz=quiz)
    assert exported["passing_score"] == 60 and exported["reveal_answers"] == "never"
    assert exported["questions"][2]["choices"] == [{"text": "True", "correct": False, "feedback": ""},
                                                   {"text": "False", "correct": True, "feedback": ""}]
    # Export -> import into another activity gives the same document.
    other = build_course(activities=[{"title": "Check", "kind": "quiz"}])
    copy, _ = quiz_transfer.quiz_import_json(activity=activities_of(other)[0], document=exported)
    assert selectors.quiz_document(quiz=copy) == {**exported, "title": "Check"}
    # Replacing is allowed while nobody has attempted the quiz.
    replaced, created = quiz_transfer.quiz_import_json(activity=activity, document={**_document(), "questions": [
        {"kind": "true_false", "prompt": "Only one", "correct": True}]})
    assert not created and replaced.pk == quiz.pk and replaced.questions.count() == 1


@pytest.mark.parametrize("mutate", [
    lambda d: {**d, "format": "moodle-xml"},
    lambda d: {**d, "version": 2},
    lambda d: {**d, "surprise": 1},
    lambda d: {**d, "questions": []},
    lambda d: {**d, "questions": [*d["questions"], {"kind": "single_choice", "prompt": "Bad", "choices": []}]},
    lambda d: {**d, "questions": [*d["questions"], "not an object"]},
    lambda d: {**d, "passing_score": "70"},
    lambda d: "[not json",
    lambda d: ["a", "list"],
])
def test_import_is_all_or_nothing(mutate):
    course = build_course(activities=[{"title": "Check", "kind": "quiz"}])
    with pytest.raises(QuizAuthoringError) as error:
        quiz_transfer.quiz_import_json(activity=activities_of(course)[0], document=mutate(_document()))
    assert error.value.status_code == 422
    assert not Quiz.objects.exists() and not Question.objects.exists()


def test_import_never_replaces_an_attempted_quiz():
    course, quiz = quiz_course(questions=2)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    with pytest.raises(QuizConflict) as error:
        quiz_transfer.quiz_import_json(activity=quiz.activity, document=_document())
    assert error.value.code == "quiz_has_attempts"
    assert quiz.questions.count() == 2


def test_import_onto_a_lesson_is_refused():
    course = build_course(activities=[{"title": "Read"}])
    with pytest.raises(QuizConflict):
        quiz_transfer.quiz_import_json(activity=activities_of(course)[0], document=_document())
    assert Activity.objects.get().kind == "lesson"
