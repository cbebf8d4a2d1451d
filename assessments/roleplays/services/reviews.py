"""Reviews of role-play performances, calibration against expert scores, and the final score.

Rules:
- Who reviews in which role: the performer (``self``), an allocated peer (``peer``, through their
  assignment), the partner named on the performance (``partner``), and in the ``supervisor`` role
  whoever owes a supervisor review, the performer's manager, or the course's instructors and org
  admins. Anyone else: 404.
- A review scores **every** criterion of the scenario's rubric with the points of one of that
  criterion's levels; a missing, repeated or unknown criterion, or points that are not one of its
  levels, is a 400 (``invalid_level`` / ``invalid_review``) and nothing is written. The partner
  gives instead a 1-5 ``cared_for`` rating. Any reviewer may code each empathic opportunity of the
  scenario as dismissed, perfunctory, acknowledged, explored or confirmed.
- A review is created once (409 ``review_exists``) and edited until its assignment's deadline
  (409 ``review_closed`` after it); a late assignment takes no review.
- Calibration: when a scenario has calibration examples, a peer scores every one of them before
  their first peer review (409 ``calibration_required``). Each calibration review refreshes the
  reviewer's agreement and weight (``assessments.roleplays.scoring.calibration_weight``).
- Scoring (``performance_finalize``): once the performance is allocated and no assignment is
  pending, the final score (``assessments.roleplays.scoring.final_score``) is stored and sent to
  ``courses.enrollments.services.activity_record_result`` with ``passed = score >= pass_threshold``. A later
  edit scores it again; progress keeps the best result. A performance closed by its deadline
  (``services/escalation.py``) takes no review and no edit (409 ``review_closed``).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments.roleplays import scoring
from assessments.roleplays.errors import RoleplayConflict, RoleplayError, RoleplayErrorCode
from assessments.roleplays.models import (
    CalibrationExample,
    Criterion,
    Performance,
    Review,
    ReviewAssignment,
    ReviewerCalibration,
    ReviewerRole,
    ReviewScore,
    Scenario,
)
from assessments.roleplays.selectors import criteria_with_levels, criterion_specs, performance_score
from assessments.roleplays.services.xapi import performance_scored_record
from courses.catalog import selectors as course_selectors
from courses.enrollments import services as course_services
from courses.enrollments.models import Enrollment
from lms.errors import NotFound
from lms.models import User

CODINGS = set(Review.Coding.values)
RUBRIC_ROLES = (ReviewerRole.SELF, ReviewerRole.PEER, ReviewerRole.SUPERVISOR, ReviewerRole.EXPERT)


def _write_scores(review: Review, points: dict[int, int]) -> None:
    ReviewScore.objects.bulk_create([ReviewScore(review=review, criterion_id=c, points=p) for c, p in points.items()])


def clean_scores(criteria: list[Criterion], scores: Any) -> dict[int, int]:
    """{criterion id: points}, one of each criterion's levels for every criterion, or RoleplayError."""
    if not isinstance(scores, list):
        raise RoleplayError("Scores are a list of {criterion, points}.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"scores": ["A list."]})
    by_id = {c.pk: c for c in criteria}
    cleaned: dict[int, int] = {}
    for number, item in enumerate(scores, start=1):
        criterion_id = item.get("criterion") if isinstance(item, dict) else None
        points = item.get("points") if isinstance(item, dict) else None
        criterion = by_id.get(criterion_id) if isinstance(criterion_id, int) else None
        if criterion is None:
            raise RoleplayError(f"Score {number} names no criterion of this rubric.",
                                code=RoleplayErrorCode.INVALID_REVIEW,
                                fields={"scores": [f"Score {number}: unknown criterion."]})
        if criterion.pk in cleaned:
            raise RoleplayError(f"Criterion {criterion.pk} is scored twice.", code=RoleplayErrorCode.INVALID_REVIEW,
                                fields={"scores": [f"Score {number}: repeated criterion."]})
        allowed = [level.points for level in criterion.levels.all()]
        if not isinstance(points, int) or isinstance(points, bool) or points not in allowed:
            raise RoleplayError(f"'{criterion.title}' takes one of its levels: {allowed}.",
                                code=RoleplayErrorCode.INVALID_LEVEL,
                                fields={"scores": [f"Score {number}: not a level of '{criterion.title}'."]})
        cleaned[criterion.pk] = points
    missing = [c.title for c in criteria if c.pk not in cleaned]
    if missing:
        raise RoleplayError(f"Every criterion needs a score; missing: {', '.join(missing)}.",
                            code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"scores": [f"Missing: {', '.join(missing)}."]})
    return cleaned


def _clean_codes(scenario: Scenario, codes: Any) -> dict[str, str]:
    keys = {item["key"] for item in scenario.opportunities}
    if codes is None:
        return {}
    if not isinstance(codes, dict) or not set(codes) <= keys or not all(v in CODINGS for v in codes.values()):
        raise RoleplayError("Code the scenario's opportunities with one of " + ", ".join(Review.Coding.values) + ".",
                            code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"opportunity_codes": [f"Keys among {sorted(keys)}."]})
    return dict(codes)


def _clean_body(*, role: str, scenario: Scenario, scores: Any, cared_for: Any, comments: Any,
                opportunity_codes: Any) -> tuple[dict[int, int], int | None, str, dict[str, str]]:
    if not isinstance(comments, str) or len(comments) > 5000:
        raise RoleplayError("Comments are text of at most 5000 characters.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"comments": ["Too long."]})
    codes = _clean_codes(scenario, opportunity_codes)
    if role == ReviewerRole.PARTNER:
        if not isinstance(cared_for, int) or isinstance(cared_for, bool) or not 1 <= cared_for <= 5:
            raise RoleplayError("As the customer, rate how cared-for you felt from 1 to 5.",
                                code=RoleplayErrorCode.INVALID_REVIEW,
                                fields={"cared_for": ["1 to 5."]})
        if scores:
            raise RoleplayError("The partner rates the conversation; rubric scores come from reviewers.",
                                code=RoleplayErrorCode.INVALID_REVIEW, fields={"scores": ["Not for the partner."]})
        return {}, cared_for, comments, codes
    if cared_for is not None:
        raise RoleplayError("Only the partner gives a cared-for rating.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"cared_for": ["Partner only."]})
    return clean_scores(criteria_with_levels(scenario.rubric_id), scores), None, comments, codes


def _manages(actor: User, enrollment: Enrollment) -> bool:
    if course_selectors.course_can_manage(actor=actor, course=enrollment.course):
        return True
    return enrollment.organization_id is not None and User.objects.filter(
        pk=enrollment.user_id, memberships__organization_id=enrollment.organization_id,
        memberships__manager__user=actor, memberships__manager__is_active=True).exists()


def reviewer_role(*, performance: Performance, reviewer: User, role: str | None = None) -> tuple[
        str, ReviewAssignment | None]:
    """The role ``reviewer`` reviews ``performance`` in (and their assignment), or 404."""
    assignments = {a.role: a for a in performance.assignments.filter(reviewer=reviewer).exclude(
        status=ReviewAssignment.Status.REASSIGNED)}
    candidates: list[str] = []
    enrollment = performance.enrollment
    assert enrollment is not None  # callers pass learners' performances (reference ones have no reviewer roles)
    if enrollment.user_id == reviewer.pk:
        candidates.append(ReviewerRole.SELF)
    candidates += [r for r in (ReviewerRole.PEER, ReviewerRole.SUPERVISOR, ReviewerRole.PARTNER) if r in assignments]
    if performance.partner_id == reviewer.pk and ReviewerRole.PARTNER not in candidates:
        candidates.append(ReviewerRole.PARTNER)
    if ReviewerRole.SUPERVISOR not in candidates and ReviewerRole.SELF not in candidates and _manages(
            reviewer, enrollment):
        candidates.append(ReviewerRole.SUPERVISOR)
    if role is not None:
        candidates = [c for c in candidates if c == role]
    if not candidates:
        raise NotFound("No such performance to review.", code=RoleplayErrorCode.PERFORMANCE_NOT_FOUND)
    chosen = candidates[0]
    return chosen, assignments.get(chosen)


def _refuse_when_closed(performance: Performance) -> None:
    """A performance closed by its deadline (scored from what came in, or unscored) takes no more reviews."""
    if performance.resolution:
        raise RoleplayConflict("This performance was closed at its deadline.", code=RoleplayErrorCode.REVIEW_CLOSED)


def review_submit(*, performance: Performance, reviewer: User, scores: Any = None, comments: str = "",
                  cared_for: Any = None, opportunity_codes: Any = None, role: str | None = None) -> Review:
    performance = Performance.objects.select_related("scenario__rubric", "enrollment__course").get(pk=performance.pk)
    if performance.is_reference:
        raise NotFound("No such performance to review.", code=RoleplayErrorCode.PERFORMANCE_NOT_FOUND)
    role, assignment = reviewer_role(performance=performance, reviewer=reviewer, role=role)
    _refuse_when_closed(performance)
    scenario = performance.scenario
    points, cared, text, codes = _clean_body(role=role, scenario=scenario, scores=scores, cared_for=cared_for,
                                             comments=comments, opportunity_codes=opportunity_codes)
    now = timezone.now()
    with transaction.atomic():
        if assignment is not None:
            assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
            if assignment.status == ReviewAssignment.Status.EXPIRED or assignment.due_at < now:
                raise RoleplayConflict("The deadline for this review has passed.", code=RoleplayErrorCode.REVIEW_CLOSED)
        if role == ReviewerRole.PEER and scenario.calibration_examples.exists():
            done = Review.objects.filter(reviewer=reviewer, performance__calibration__scenario=scenario).count()
            if done < scenario.calibration_examples.count():
                raise RoleplayConflict("Score the calibration examples first.",
                                       code=RoleplayErrorCode.CALIBRATION_REQUIRED)
        if Review.objects.filter(performance=performance, reviewer=reviewer, role=role).exists():
            raise RoleplayConflict("You have reviewed this performance; edit your review instead.",
                                   code=RoleplayErrorCode.REVIEW_EXISTS)
        review = Review.objects.create(performance=performance, reviewer=reviewer, role=role, assignment=assignment,
                                       rubric=scenario.rubric, comments=text, cared_for=cared,
                                       opportunity_codes=codes, created_at=now, updated_at=now)
        _write_scores(review, points)
        if assignment is not None:
            assignment.status = ReviewAssignment.Status.DONE
            assignment.closed_at = now
            assignment.save(update_fields=["status", "closed_at"])
        if role != ReviewerRole.SELF:
            performance_finalize(performance=performance)
    return review


def review_update(*, review: Review, scores: Any = None, comments: str | None = None, cared_for: Any = None,
                  opportunity_codes: Any = None) -> Review:
    """Replace the review's scores and text, until its deadline."""
    review = Review.objects.select_related("performance__scenario__rubric", "performance__enrollment__course",
                                           "assignment").get(pk=review.pk)
    performance = review.performance
    _refuse_when_closed(performance)
    if review.role == ReviewerRole.EXPERT:
        raise RoleplayConflict("Expert scores of a calibration example are fixed.",
                               code=RoleplayErrorCode.REVIEW_CLOSED)
    points, cared, text, codes = _clean_body(
        role=review.role, scenario=performance.scenario, scores=scores, cared_for=cared_for,
        comments=review.comments if comments is None else comments,
        opportunity_codes=review.opportunity_codes if opportunity_codes is None else opportunity_codes)
    now = timezone.now()
    if review.assignment is not None and review.assignment.due_at < now:
        raise RoleplayConflict("The deadline for this review has passed.", code=RoleplayErrorCode.REVIEW_CLOSED)
    if performance.is_reference:
        raise RoleplayConflict("Calibration reviews are not edited.", code=RoleplayErrorCode.REVIEW_CLOSED)
    with transaction.atomic():
        review.comments, review.cared_for, review.opportunity_codes, review.updated_at = text, cared, codes, now
        review.save(update_fields=["comments", "cared_for", "opportunity_codes", "updated_at"])
        ReviewScore.objects.filter(review=review).delete()
        _write_scores(review, points)
        if review.role != ReviewerRole.SELF and performance.status == Performance.Status.SCORED:
            performance_finalize(performance=performance)
    return review


def performance_finalize(*, performance: Performance) -> Performance | None:
    """Score the performance when no review is pending (see the module docstring); None when not yet."""
    with transaction.atomic():
        performance = Performance.objects.select_for_update(of=("self",)).select_related(
            "scenario__activity", "enrollment").get(pk=performance.pk)
        if performance.is_reference or performance.status == Performance.Status.SUBMITTED:
            return None
        if performance.assignments.filter(status=ReviewAssignment.Status.PENDING).exists():
            return None
        result = performance_score(performance)
        if result.score is None:
            return None
        score = Decimal(str(result.score)).quantize(Decimal("0.01"))
        performance.final_score = score
        performance.passed = score >= performance.scenario.pass_threshold
        performance.status = Performance.Status.SCORED
        performance.scored_at = timezone.now()
        performance.escalation_step, performance.step_due_at = Performance.Step.CLOSED, None
        performance.save(update_fields=["final_score", "passed", "status", "scored_at", "escalation_step",
                                        "step_due_at"])
        enrollment = performance.enrollment
        assert enrollment is not None  # not is_reference (checked above): a learner's performance
        if enrollment.status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
            course_services.activity_record_result(enrollment=enrollment,
                                                   activity=performance.scenario.activity,
                                                   passed=performance.passed, score=score)
        performance_scored_record(performance=performance)
    return performance


# --- Calibration -----------------------------------------------------------------------------

def calibration_example_create(*, scenario: Scenario, title: str, transcript: str, expert: User,
                               scores: Any, link: str = "") -> CalibrationExample:
    """A reference performance (a transcript, or a link with a summary) and the experts' scores."""
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise RoleplayError("A title of 1 to 200 characters.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"title": ["Invalid."]})
    if not isinstance(transcript, str) or not transcript.strip() or len(transcript) > 50_000:
        raise RoleplayError("A transcript of the reference performance.", code=RoleplayErrorCode.INVALID_REVIEW,
                            fields={"transcript": ["Required, at most 50,000 characters."]})
    points = clean_scores(criteria_with_levels(scenario.rubric_id), scores)
    with transaction.atomic():
        performance = Performance.objects.create(
            scenario=scenario, is_reference=True, kind=Performance.Kind.LINK if link else Performance.Kind.TRANSCRIPT,
            transcript=transcript, link=link, status=Performance.Status.SCORED)
        review = Review.objects.create(performance=performance, reviewer=expert, role=ReviewerRole.EXPERT,
                                       rubric=scenario.rubric)
        _write_scores(review, points)
        return CalibrationExample.objects.create(scenario=scenario, performance=performance, title=title.strip(),
                                                 created_by=expert)


def calibration_review_submit(*, example: CalibrationExample, reviewer: User, scores: Any) -> ReviewerCalibration:
    """Score a calibration example once; returns the reviewer's refreshed calibration."""
    scenario = example.scenario
    points = clean_scores(criteria_with_levels(scenario.rubric_id), scores)
    with transaction.atomic():
        if Review.objects.filter(performance_id=example.performance_id, reviewer=reviewer).exists():
            raise RoleplayConflict("You have scored this example.", code=RoleplayErrorCode.REVIEW_EXISTS)
        review = Review.objects.create(performance_id=example.performance_id, reviewer=reviewer,
                                       role=ReviewerRole.PEER, rubric=scenario.rubric)
        _write_scores(review, points)
        return reviewer_calibration_refresh(scenario=scenario, reviewer=reviewer)


def reviewer_calibration_refresh(*, scenario: Scenario, reviewer: User) -> ReviewerCalibration:
    specs = criterion_specs(criteria_with_levels(scenario.rubric_id))
    spans = {spec.id: spec.max_points - spec.min_points for spec in specs}
    rows = ReviewScore.objects.filter(review__performance__calibration__scenario=scenario).values_list(
        "review__performance_id", "review__role", "review__reviewer_id", "criterion_id", "points")
    expert: dict[tuple[int, int], list[int]] = {}
    mine: dict[tuple[int, int], int] = {}
    for performance_id, role, reviewer_id, criterion_id, points in rows:
        if role == ReviewerRole.EXPERT:
            expert.setdefault((performance_id, criterion_id), []).append(points)
        elif reviewer_id == reviewer.pk:
            mine[(performance_id, criterion_id)] = points
    pairs = [(points, round(sum(expert[key]) / len(expert[key])), spans.get(key[1], 0))
             for key, points in mine.items() if key in expert]
    result = scoring.calibration_weight(pairs, float(scenario.calibration_threshold))
    examples = len({key[0] for key in mine})
    agreement = Decimal(str(round(result.agreement, 4))) if result else Decimal(1)
    weight = Decimal(str(round(result.weight, 4))) if result else Decimal(1)
    calibration, _ = ReviewerCalibration.objects.update_or_create(
        scenario=scenario, reviewer=reviewer,
        defaults={"examples": examples, "agreement": agreement, "weight": weight,
                  "flagged": bool(result and result.flagged), "updated_at": timezone.now()})
    return calibration
