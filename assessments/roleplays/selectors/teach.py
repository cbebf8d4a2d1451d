"""Reads for the instructor's role-play work at /teach/roleplays/: the scenarios they manage, the learners'
performances waiting for a review they may take as supervisor or instructor, what they owe, and the calibration
examples they keep. Everything scoped to the courses the caller manages."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from assessments.roleplays.models import (
    CalibrationExample,
    Performance,
    Review,
    ReviewAssignment,
    ReviewerRole,
    ReviewScore,
    Rubric,
    Scenario,
)
from assessments.roleplays.selectors import _managed_courses, scenario_can_manage, scenarios_visible_to
from lms.errors import Forbidden, NotFound
from lms.scoping import is_unrestricted, person_id

OPEN = (Performance.Status.SUBMITTED, Performance.Status.IN_REVIEW)


def scenarios_managed(*, actor: Any) -> QuerySet[Scenario]:
    """The scenarios of the courses the caller manages, with how many calibration examples each has."""
    scenarios = Scenario.objects.select_related("activity__course", "rubric")
    if not is_unrestricted(actor):
        scenarios = scenarios.filter(activity__course_id__in=_managed_courses(actor))
    return scenarios.annotate(example_count=Count("calibration_examples")).order_by(
        "activity__course__title", "activity__title", "id")


def supervisor_reviews_open(*, actor: Any) -> QuerySet[Performance]:
    """Learners' performances in the courses the caller manages that still take reviews, which the caller has
    neither reviewed nor already owes (those are in ``review_queue``): they may review any of them in the
    supervisor role (``services.reviews.reviewer_role``)."""
    user_id = person_id(actor)
    if user_id is None:
        return Performance.objects.none()
    mine = Review.objects.filter(performance_id=OuterRef("pk"), reviewer_id=user_id)
    owed = ReviewAssignment.objects.filter(performance_id=OuterRef("pk"), reviewer_id=user_id,
                                           status=ReviewAssignment.Status.PENDING)
    performances = Performance.objects.filter(is_reference=False, status__in=OPEN, resolution="").exclude(
        enrollment__user_id=user_id).filter(~Exists(mine), ~Exists(owed))
    if not is_unrestricted(actor):
        performances = performances.filter(enrollment__course_id__in=_managed_courses(actor))
    return performances.select_related("scenario__activity__course", "enrollment__user").order_by(
        "submitted_at", "id")


def reviews_owed_count(*, actor: Any) -> int:
    """How many reviews the caller owes now (their pending assignments)."""
    return ReviewAssignment.objects.filter(reviewer_id=person_id(actor),
                                           status=ReviewAssignment.Status.PENDING).count()


def scenario_examples(*, scenario: Scenario) -> list[CalibrationExample]:
    """A scenario's calibration examples, with how many reviewers have scored each (the experts left out)."""
    scored = Count("performance__reviews", filter=~Q(performance__reviews__role=ReviewerRole.EXPERT))
    return list(CalibrationExample.objects.filter(scenario=scenario).select_related("performance", "created_by")
                .annotate(scored=scored).order_by("id"))


def access_calibration_example_manage(*, actor: Any, example_id: int) -> CalibrationExample:
    """A calibration example, for its scenario's course managers: 404 when the caller cannot see the scenario,
    403 when they see it but do not manage it."""
    example = CalibrationExample.objects.select_related("scenario__activity__course", "scenario__rubric",
                                                        "performance").filter(pk=example_id).first()
    if example is None or not scenarios_visible_to(actor=actor).filter(pk=example.scenario_id).exists():
        raise NotFound("Not found.")
    if not scenario_can_manage(actor=actor, scenario=example.scenario):
        raise Forbidden("Only the course's instructors and its organization's admins may do this.")
    return example


def expert_scores(*, example: CalibrationExample) -> dict[int, int]:
    """The experts' points per criterion on an example (the first expert review's, as the service writes one)."""
    return dict(ReviewScore.objects.filter(review__performance_id=example.performance_id,
                                           review__role=ReviewerRole.EXPERT).order_by("review_id", "id")
                .values_list("criterion_id", "points"))


def performance_for_example(*, actor: Any, scenario: Scenario, performance_id: int) -> Performance:
    """A learner's performance of ``scenario`` in a course the caller manages, to copy into a calibration example;
    404 otherwise."""
    performances = Performance.objects.filter(pk=performance_id, scenario=scenario, is_reference=False)
    if not is_unrestricted(actor):
        performances = performances.filter(enrollment__course_id__in=_managed_courses(actor))
    performance = performances.first()
    if performance is None:
        raise NotFound("Not found.")
    return performance


def rubrics_of_scenarios(scenarios: list[Scenario]) -> list[Rubric]:
    """The distinct rubrics of the given scenarios (already loaded with their rubric), first seen first."""
    seen: dict[int, Rubric] = {}
    for scenario in scenarios:
        seen.setdefault(scenario.rubric_id, scenario.rubric)
    return list(seen.values())


def scenario_performances(*, actor: Any, scenario: Scenario, limit: int = 50) -> list[Performance]:
    """The latest learners' performances of a scenario in the courses the caller manages (to pick one as a
    calibration example)."""
    performances = Performance.objects.filter(scenario=scenario, is_reference=False)
    if not is_unrestricted(actor):
        performances = performances.filter(enrollment__course_id__in=_managed_courses(actor))
    return list(performances.select_related("enrollment__user").order_by("-submitted_at", "-id")[:limit])
