"""Builders for the assessments tests: quizzes are built through the services, as the product does."""
from __future__ import annotations

from typing import Any

from assessments.quizzes.models import Attempt, Question, Quiz
from assessments.quizzes.services import authoring as services
from courses.catalog import services as catalog_services
from courses.catalog.models import Course
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from tests import factories as people
from tests.courses.factories import build_course


def quiz_course(*, questions: int = 0, instructor=None, organization=None, **quiz_fields: Any) -> tuple[Course, Quiz]:
    """A published course with one required quiz activity; ``questions`` single-choice questions."""
    course = build_course(publish=False, created_by=instructor, organization=organization)
    module = course.modules.get()
    quiz = services.quiz_activity_create(module=module, title="Check your understanding", **quiz_fields)
    add_single_choice(quiz, questions)
    catalog_services.course_publish(course=course, checks=False)  # tests make quizzes without questions too
    return course, quiz


def add_single_choice(quiz: Quiz, count: int, *, choices: int = 3) -> list[Question]:
    """``count`` single-choice questions; in each, the first choice is the correct one."""
    return [
        services.question_create(
            quiz=quiz, kind="single_choice", prompt=f"Question {n}",
            choices=[{"text": f"Choice {c}", "correct": c == 0} for c in range(choices)],
        )
        for n in range(count)
    ]


def enroll(course: Course, user=None) -> Enrollment:
    user = user or people.UserFactory()
    enrollment, _ = enrollment_services.enrollment_create(user=user, course=course)
    return enrollment


def right_answers(attempt: Attempt) -> list[dict[str, Any]]:
    """The fully correct answers to every question the attempt shows."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=[e["question"] for e in attempt.layout])
                 .prefetch_related("choices")}
    answers = []
    for entry in attempt.layout:
        question = questions[entry["question"]]
        if question.kind == Question.Kind.SHORT_TEXT:
            answers.append({"question": question.pk, "text": question.accepted_answers[0]})
        else:
            answers.append({"question": question.pk, "choices": [c.pk for c in question.choices.all()
                                                                 if c.is_correct]})
    return answers


def wrong_answers(attempt: Attempt) -> list[dict[str, Any]]:
    """A wrong choice for every choice question (short text: a wrong text)."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=[e["question"] for e in attempt.layout])
                 .prefetch_related("choices")}
    answers = []
    for entry in attempt.layout:
        question = questions[entry["question"]]
        if question.kind == Question.Kind.SHORT_TEXT:
            answers.append({"question": question.pk, "text": "nothing like it"})
        else:
            answers.append({"question": question.pk, "choices": [next(c.pk for c in question.choices.all()
                                                                      if not c.is_correct)]})
    return answers
