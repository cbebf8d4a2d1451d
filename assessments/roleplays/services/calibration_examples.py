"""Editing a calibration example: its title, the reference performance (transcript or link) and the experts'
scores. (Creating one is ``services.reviews.calibration_example_create``.)

Rules: the same checks as creating (a title of 1-200 characters, a transcript of at most 50,000, one level of
every criterion); a bad value is a 400 and nothing is written. New expert scores change how close every
reviewer who scored the example was to the experts, so each such reviewer's calibration of the scenario is
refreshed in the same transaction.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction

from assessments.roleplays.errors import RoleplayError, RoleplayErrorCode
from assessments.roleplays.models import CalibrationExample, Performance, Review, ReviewerRole, ReviewScore
from assessments.roleplays.selectors import criteria_with_levels
from assessments.roleplays.services.reviews import clean_scores, reviewer_calibration_refresh
from lms.models import User


def _check_text(*, title: Any, transcript: Any) -> None:
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise RoleplayError("A title of 1 to 200 characters.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"title": ["Invalid."]})
    if not isinstance(transcript, str) or not transcript.strip() or len(transcript) > 50_000:
        raise RoleplayError("A transcript of the reference performance.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"transcript": ["Required, at most 50,000 characters."]})


def calibration_example_update(*, example: CalibrationExample, title: str, transcript: str, scores: Any,
                               expert: User, link: str = "") -> CalibrationExample:
    """Replace an example's title, reference performance and expert scores; refresh its reviewers' calibration."""
    _check_text(title=title, transcript=transcript)
    scenario = example.scenario
    points = clean_scores(criteria_with_levels(scenario.rubric_id), scores)
    with transaction.atomic():
        performance = Performance.objects.select_for_update().get(pk=example.performance_id)
        performance.transcript = transcript
        performance.link = link
        performance.kind = Performance.Kind.LINK if link else Performance.Kind.TRANSCRIPT
        performance.save(update_fields=["transcript", "link", "kind"])
        review = Review.objects.filter(performance=performance, role=ReviewerRole.EXPERT).order_by("id").first()
        if review is None:
            review = Review.objects.create(performance=performance, reviewer=expert, role=ReviewerRole.EXPERT,
                                           rubric=scenario.rubric)
        ReviewScore.objects.filter(review=review).delete()
        ReviewScore.objects.bulk_create([ReviewScore(review=review, criterion_id=criterion, points=value)
                                         for criterion, value in points.items()])
        example.title = title.strip()
        example.save(update_fields=["title"])
        reviewers = (Review.objects.filter(performance__calibration__scenario=scenario)
                     .exclude(role=ReviewerRole.EXPERT).values_list("reviewer_id", flat=True).distinct())
        for reviewer in User.objects.filter(pk__in=list(reviewers)):
            reviewer_calibration_refresh(scenario=scenario, reviewer=reviewer)
    return example
