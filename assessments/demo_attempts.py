"""Demo learners who have finished every lesson of a course pass its quizzes, through the same attempt
services a learner's browser uses. Shared by the quiz demo (``assessments.demo``) and the role-play demo
(``assessments.demo_roleplays``); it registers no demo loader itself.
"""
from __future__ import annotations

from typing import Any

from assessments.quizzes.models import Attempt, Question, Quiz
from assessments.quizzes.services import attempts as services
from courses.catalog.models import Activity, Course
from courses.enrollments.models import ActivityProgress, Enrollment


def _correct_answers(attempt: Attempt) -> list[dict[str, Any]]:
    questions = {q.pk: q for q in Question.objects.filter(quiz=attempt.quiz).prefetch_related("choices")}
    answers = []
    for entry in attempt.layout:
        question = questions[entry["question"]]
        if question.kind == Question.Kind.SHORT_TEXT:
            answers.append({"question": question.pk, "text": question.accepted_answers[0]})
        else:
            answers.append({"question": question.pk,
                            "choices": [c.pk for c in question.choices.all() if c.is_correct]})
    return answers


def _finished_all_lessons(enrollment: Enrollment) -> bool:
    lessons = Activity.objects.filter(course=enrollment.course, kind=Activity.Kind.LESSON, required=True)
    passed = ActivityProgress.objects.filter(enrollment=enrollment, activity__in=lessons,
                                             status=ActivityProgress.Status.PASSED)
    return lessons.exists() and passed.count() == lessons.count()


def pass_quizzes(course: Course) -> None:
    quizzes = list(Quiz.objects.filter(activity__course=course).select_related("activity"))
    for enrollment in Enrollment.objects.filter(course=course).select_related("course"):
        if not _finished_all_lessons(enrollment):
            continue
        for quiz in quizzes:
            if Attempt.objects.filter(quiz=quiz, enrollment=enrollment, passed=True).exists():
                continue
            attempt, _ = services.attempt_start(quiz=quiz, enrollment=enrollment)
            services.attempt_submit(attempt=attempt, answers=_correct_answers(attempt))
