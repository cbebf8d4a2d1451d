"""The demo course gains a role-play with the default rubric, reviews enough for a real agreement figure,
and before/after instrument responses; loading twice changes nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.demo_roleplays import REVIEWER_BIAS
from assessments.instruments import growth_report as reports
from assessments.instruments.models import InstrumentResponse
from assessments.roleplays.default_content import DEFAULT_RUBRIC_SLUG
from assessments.roleplays.models import Performance, Review, Scenario
from assessments.roleplays.selectors import agreement as agreement_selectors
from courses.demo_content import EMPATHY_SLUG_EN
from lms.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _counts():
    return (Scenario.objects.count(), Performance.objects.count(), Review.objects.count(),
            InstrumentResponse.objects.count())


def test_demo_roleplay_reviews_and_growth(demo_var):
    # Rows made first move every id the demo gets, as a database that held data before would: the
    # figures below must not hang on ids.
    User.objects.bulk_create([User(email=f"earlier{n}@example.com") for n in range(4)])
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    scenario = Scenario.objects.get(activity__course__slug=EMPATHY_SLUG_EN)
    assert scenario.rubric.slug == DEFAULT_RUBRIC_SLUG
    performances = Performance.objects.filter(scenario=scenario, is_reference=False)
    assert performances.count() == 18 and not performances.exclude(status="scored").exists()
    superuser = User.objects.get(email="superuser@acme.example")
    agreement = agreement_selectors.agreement_report(actor=superuser, rubric=scenario.rubric)
    assert agreement["overall"]["alpha"] is not None and agreement["overall"]["units"] >= 100
    assert agreement["overall"]["raters"] >= 5 and not agreement["overall"]["flagged"]
    tendency = {r["id"]: r["tendency"] for r in agreement["reviewers"]}
    by_email = dict(User.objects.filter(email__in=REVIEWER_BIAS).values_list("email", "pk"))
    assert tendency[by_email["learner2@acme.example"]] == "lenient"
    assert tendency[by_email["learner6@acme.example"]] == "severe"
    assert list(tendency.values()).count("in_line") == len(tendency) - 2
    assert InstrumentResponse.objects.filter(survey__timing="before").count() == 9
    assert InstrumentResponse.objects.filter(survey__timing="after").count() >= 5
    growth = reports.empathy_growth(actor=User.objects.get(email="hr@acme.example"))
    course_row = next(g for g in growth["groups"] if g["dimension"] == "course")
    assert not course_row["instrument"]["suppressed"] and course_row["instrument"]["mean_difference"] > 0
    assert course_row["instrument"]["cohens_dz"] is not None
    assert course_row["rubric"]["normalized_gain"] > 0
