"""Demo quizzes: one required quiz at the end of each module of the empathy course, in English and
Brazilian Portuguese (loaded after the demo courses). Idempotent.

The quizzes are data: ``demo_data/quizzes/<course slug>.yaml``, one quiz per module in module order.
Demo learners who have finished every lesson of a course then pass its quizzes through the same
attempt services a learner's browser uses, so their enrollment stays completed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from assessments import demo_roleplays  # noqa: F401  (registers the role-play demo loader)
from assessments.demo_attempts import pass_quizzes
from assessments.quizzes.models import Quiz
from assessments.quizzes.services import authoring as services
from courses.catalog.models import Activity, Course
from courses.demo_content import EMPATHY_SLUG_EN, EMPATHY_SLUG_PT
from courses.enrollments import services as course_services
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.demo import demo_loader

QUIZ_DIR = Path(__file__).resolve().parent / "demo_data" / "quizzes"


def read_quizzes(slug: str) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """The quizzes of course ``slug``, in module order: (title, quiz settings, questions)."""
    data = yaml.safe_load((QUIZ_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
    if data["course"] != slug:
        raise ValueError(f"{slug}.yaml holds the quizzes of {data['course']}")
    quizzes = []
    for quiz in data["quizzes"]:
        settings = dict(quiz["settings"])
        if "reveal_answers" in settings:
            settings["reveal_answers"] = Quiz.Reveal(settings["reveal_answers"])
        quizzes.append((quiz["title"], settings, quiz["questions"]))
    return quizzes


# Per course slug, per module in module order: (title, quiz settings, questions).
QUIZZES: dict[str, list[tuple[str, dict[str, Any], list[dict[str, Any]]]]] = {
    slug: read_quizzes(slug) for slug in (EMPATHY_SLUG_EN, EMPATHY_SLUG_PT)
}


def _add_quizzes(course: Course) -> bool:
    added = False
    for module, (title, settings, questions) in zip(
            course.modules.order_by("position", "id"), QUIZZES[course.slug], strict=False):
        if module.activities.filter(kind=Activity.Kind.QUIZ).exists():
            continue
        with transaction.atomic():
            quiz = services.quiz_activity_create(module=module, title=title, required=True, estimated_minutes=5,
                                                 passing_score=70, **settings)
            for question in questions:
                services.question_create(quiz=quiz, **question)
        added = True
    return added


def _refresh_progress(course: Course) -> None:
    """New required activities change what 100% means. Progress is updated only when a result is
    recorded, so record each learner's latest passed lesson again (same result: only the figures
    are recomputed)."""
    for enrollment in Enrollment.objects.filter(course=course):
        latest = (ActivityProgress.objects.filter(enrollment=enrollment, status=ActivityProgress.Status.PASSED)
                  .select_related("activity").order_by("-completed_at", "-id").first())
        if latest is not None:
            course_services.activity_record_result(enrollment=enrollment, activity=latest.activity, passed=True)


@demo_loader(order=20)
def load_quizzes(credentials: dict) -> None:
    for course in Course.objects.filter(slug__in=QUIZZES):
        if _add_quizzes(course):
            _refresh_progress(course)
        pass_quizzes(course)
