"""Demo quizzes: required quizzes at the end of the demo courses' modules, in English and Brazilian
Portuguese (loaded after the demo courses). Idempotent.

The quizzes are data: ``demo_data/quizzes/<course slug>.yaml``, one file per course. Each quiz goes at
the end of the module named by its ``module`` key (the module's place in the course, from 1), or else
of the module in the same place as the quiz in the file; ``estimated_minutes`` (default 5) is the time
the quiz adds to the course's estimate.
Demo learners who have finished every lesson of a course then pass its quizzes through the same
attempt services a learner's browser uses, so their enrollment stays completed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from assessments import (
    demo_leadership,  # noqa: F401  (registers the 360° feedback demo loader)
    demo_outcomes,  # noqa: F401  (registers the customer-satisfaction demo loader)
    demo_roleplays,  # noqa: F401  (registers the role-play demo loader)
)
from assessments.demo_attempts import pass_quizzes
from assessments.quizzes.models import Quiz
from assessments.quizzes.services import authoring as services
from courses.catalog.models import Activity, Course
from courses.enrollments import services as course_services
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.demo import demo_loader

QUIZ_DIR = Path(__file__).resolve().parent / "demo_data" / "quizzes"


QUIZ_MINUTES = 5  # a quiz's estimate unless its file says otherwise


def read_quizzes(slug: str) -> list[tuple[int, str, dict[str, Any], list[dict[str, Any]]]]:
    """The quizzes of course ``slug``: (module index from 0, title, quiz settings, questions).

    The settings hold ``estimated_minutes`` too (``QUIZ_MINUTES`` unless the file gives it)."""
    data = yaml.safe_load((QUIZ_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
    if data["course"] != slug:
        raise ValueError(f"{slug}.yaml holds the quizzes of {data['course']}")
    quizzes = []
    for index, quiz in enumerate(data["quizzes"]):
        settings = {"estimated_minutes": quiz.get("estimated_minutes", QUIZ_MINUTES), **quiz["settings"]}
        if "reveal_answers" in settings:
            settings["reveal_answers"] = Quiz.Reveal(settings["reveal_answers"])
        quizzes.append((quiz.get("module", index + 1) - 1, quiz["title"], settings, quiz["questions"]))
    return quizzes


# Per course slug (every file in QUIZ_DIR): (module index, title, quiz settings, questions).
QUIZZES: dict[str, list[tuple[int, str, dict[str, Any], list[dict[str, Any]]]]] = {
    path.stem: read_quizzes(path.stem) for path in sorted(QUIZ_DIR.glob("*.yaml"))
}


def _add_quizzes(course: Course) -> bool:
    added = False
    modules = list(course.modules.order_by("position", "id"))
    for index, title, settings, questions in QUIZZES[course.slug]:
        module = modules[index] if index < len(modules) else None
        if module is None or module.activities.filter(kind=Activity.Kind.QUIZ, title=title).exists():
            continue
        with transaction.atomic():
            quiz = services.quiz_activity_create(module=module, title=title, required=True, passing_score=70,
                                                 **settings)
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
