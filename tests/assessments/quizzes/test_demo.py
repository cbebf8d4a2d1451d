"""The demo gains a quiz per module of the empathy course, in both languages, and stays idempotent."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.quizzes.models import Attempt, Question, Quiz
from courses.catalog.models import Activity
from courses.demo_content import EMPATHY_SLUG_EN, EMPATHY_SLUG_PT
from courses.enrollments.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _counts() -> tuple[int, ...]:
    return (Quiz.objects.count(), Question.objects.count(), Attempt.objects.count(), Activity.objects.count())


def test_demo_quizzes(demo_var):
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    for slug, language_word in ((EMPATHY_SLUG_EN, "Check"), (EMPATHY_SLUG_PT, "Revisão")):
        quizzes = Quiz.objects.filter(activity__course__slug=slug).select_related("activity__module")
        assert quizzes.count() == 3
        assert all(q.activity.required and q.activity.title.startswith(language_word) for q in quizzes)
        assert len({q.activity.module_id for q in quizzes}) == 3
        kinds = set(Question.objects.filter(quiz__in=quizzes).values_list("kind", flat=True))
        assert kinds == set(Question.Kind.values)
    finished = Enrollment.objects.get(user__email="learner@acme.example", course__slug=EMPATHY_SLUG_EN)
    assert (finished.status, finished.progress_percent) == ("completed", 100)
    assert Attempt.objects.filter(enrollment=finished, passed=True).count() == 3
    partway = Enrollment.objects.get(user__email="learner2@acme.example", course__slug=EMPATHY_SLUG_EN)
    assert partway.status == "active" and partway.progress_percent == 44  # 4 of 9 required steps
