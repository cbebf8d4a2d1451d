"""The guaranteed end of every performance: the escalation chain (``assessments.roleplays.escalation``).

Rules:
- ``performance_submit`` stores the first step's end (``step_due_at``) and the resolution date
  (``resolution_due_at``), both computed from the submission time and the settings.
- ``performances_escalate`` (run by the role-play sweep) takes, in batches, the open performances
  whose step has ended and calls ``performance_escalate`` on each: the next step whose window is
  still open adds its group as ``supervisor``-role reviewers (reason ``escalated``, due at that
  step's end). A group with nobody new to ask (no manager, no instructor, no admin, or only people
  already asked or the performer) is skipped at once. With no step left, ``performance_finalize_by_deadline``.
- ``performance_finalize_by_deadline``: pending reviews expire; with a score from the reviews that
  exist, the performance is ``scored`` with ``resolution = deadline`` and its reviewer count; without
  one it is ``unscored`` with a reason (``no_reviews``, or ``no_counting_review`` when the reviews
  that came are of roles the scenario does not weigh). Either way the learner's activity is resolved
  through ``activity_record_result``: a score as usual, and an unscored performance counts as done
  without a score (passed, no score), so nobody is blocked by reviewers who never came.
- Idempotent: a performance is locked and re-read; one already resolved or whose step has not
  ended is left alone, so two sweeps at once never resolve it twice.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.roleplays import escalation
from assessments.roleplays.models import Performance, Review, ReviewAssignment, ReviewerRole
from assessments.roleplays.selectors import performance_score
from assessments.roleplays.services.xapi import performance_scored_record
from courses.enrollments import services as course_services
from courses.enrollments.models import Enrollment
from lms.models import Membership

OPEN: tuple[str, ...] = (Performance.Status.SUBMITTED, Performance.Status.IN_REVIEW)
TAKING: tuple[str, ...] = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def schedule_of(performance: Performance) -> list[tuple[str, datetime]]:
    return escalation.escalation_schedule(performance.submitted_at, review_days=performance.scenario.review_days,
                                          step_days=settings.ROLEPLAY_ESCALATION_STEP_DAYS)


def performance_deadlines_set(*, performance: Performance) -> None:
    """Fill the first step's end and the resolution date from the submission (called on submit)."""
    schedule = schedule_of(performance)
    performance.escalation_step = escalation.PEERS
    performance.step_due_at = schedule[0][1]
    performance.resolution_due_at = schedule[-1][1]


def _group(performance: Performance, step: str) -> list[int]:
    """The user ids of ``step``'s group for this performance, in a stable order."""
    enrollment = performance.enrollment
    assert enrollment is not None
    if step == escalation.SUPERVISOR:
        if enrollment.organization_id is None:
            return []
        return list(Membership.objects.filter(
            user_id=enrollment.user_id, organization_id=enrollment.organization_id, is_active=True,
            manager__is_active=True, manager__user__is_active=True).values_list("manager__user_id", flat=True))
    if step == escalation.INSTRUCTORS:
        return list(enrollment.course.instructors.filter(is_active=True).order_by("id").values_list("id", flat=True))
    if step == escalation.ADMINS and enrollment.organization_id is not None:
        return list(Membership.objects.filter(organization_id=enrollment.organization_id, is_org_admin=True,
                                              is_active=True, user__is_active=True)
                    .order_by("user_id").values_list("user_id", flat=True))
    return []


def performance_escalate(*, performance: Performance, now: datetime | None = None) -> str | None:
    """Move one performance along its chain if its step has ended; the step it is at afterwards (or
    ``closed``), None when there was nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        performance = (Performance.objects.select_for_update(of=("self",))
                       .select_related("scenario__activity", "enrollment__course").get(pk=performance.pk))
        if performance.is_reference or performance.status not in OPEN:
            return None
        if performance.step_due_at is None:
            performance_deadlines_set(performance=performance)
            performance.save(update_fields=["escalation_step", "step_due_at", "resolution_due_at"])
        assert performance.step_due_at is not None
        if performance.step_due_at > now:
            return None
        assert performance.enrollment is not None  # not is_reference (checked above)
        schedule = schedule_of(performance)
        asked = set(performance.assignments.exclude(status=ReviewAssignment.Status.REASSIGNED)
                    .values_list("reviewer_id", flat=True))
        asked |= set(performance.reviews.values_list("reviewer_id", flat=True))
        asked.add(performance.enrollment.user_id)
        for step, ends in escalation.steps_still_open(schedule, after=performance.escalation_step, now=now):
            new = [user_id for user_id in dict.fromkeys(_group(performance, step)) if user_id not in asked]
            if not new:
                continue  # nobody new to ask: the next step at once
            ReviewAssignment.objects.bulk_create([
                ReviewAssignment(performance=performance, reviewer_id=user_id, role=ReviewerRole.SUPERVISOR,
                                 reason=ReviewAssignment.Reason.ESCALATED, due_at=ends, created_at=now)
                for user_id in new])
            performance.escalation_step, performance.step_due_at = step, ends
            performance.status = Performance.Status.IN_REVIEW
            performance.save(update_fields=["escalation_step", "step_due_at", "status"])
            return step
        _finalize(performance, now=now)
        return escalation.CLOSED


def performance_finalize_by_deadline(*, performance: Performance, now: datetime | None = None) -> Performance:
    """Close an open performance now from the reviews that exist (see the module docstring)."""
    now = now or timezone.now()
    with transaction.atomic():
        performance = (Performance.objects.select_for_update(of=("self",))
                       .select_related("scenario__activity", "enrollment__course").get(pk=performance.pk))
        if performance.status in OPEN and not performance.is_reference:
            _finalize(performance, now=now)
    return performance


def _finalize(performance: Performance, *, now: datetime) -> None:
    ReviewAssignment.objects.filter(performance=performance, status=ReviewAssignment.Status.PENDING).update(
        status=ReviewAssignment.Status.EXPIRED, closed_at=now)
    counted = Review.objects.filter(performance=performance).exclude(role=ReviewerRole.SELF).count()
    raw = performance_score(performance).score if counted else None
    performance.escalation_step, performance.step_due_at = escalation.CLOSED, None
    performance.reviewers_counted = counted
    fields = ["escalation_step", "step_due_at", "reviewers_counted", "status", "resolution", "resolution_reason"]
    enrollment = performance.enrollment
    assert enrollment is not None  # callers pass learners' performances
    activity = performance.scenario.activity
    if raw is not None:
        score = Decimal(str(raw)).quantize(Decimal("0.01"))
        performance.final_score, performance.passed = score, score >= performance.scenario.pass_threshold
        performance.status, performance.scored_at = Performance.Status.SCORED, now
        performance.resolution, performance.resolution_reason = Performance.Resolution.DEADLINE, ""
        performance.save(update_fields=[*fields, "final_score", "passed", "scored_at"])
        if enrollment.status in TAKING:
            course_services.activity_record_result(enrollment=enrollment, activity=activity,
                                                   passed=performance.passed, score=score)
        performance_scored_record(performance=performance)
        return
    performance.status = Performance.Status.UNSCORED
    performance.resolution = Performance.Resolution.UNSCORED
    performance.resolution_reason = "no_counting_review" if counted else "no_reviews"
    performance.save(update_fields=fields)
    if enrollment.status in TAKING:
        course_services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=None)


def performances_escalate(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Every open performance whose step has ended moves on (in batches of ``batch``)."""
    now = now or timezone.now()
    counts = {"escalated": 0, "final_by_deadline": 0, "unscored": 0}
    seen: set[int] = set()
    while True:
        ids = list(Performance.objects.filter(is_reference=False, status__in=OPEN, step_due_at__lte=now)
                   .exclude(pk__in=seen).order_by("step_due_at", "id").values_list("pk", flat=True)[:batch])
        if not ids:
            return counts
        seen.update(ids)
        for performance in Performance.objects.filter(pk__in=ids).order_by("step_due_at", "id"):
            step = performance_escalate(performance=performance, now=now)
            if step == escalation.CLOSED:
                status = Performance.objects.filter(pk=performance.pk).values_list("status", flat=True).get()
                counts["final_by_deadline" if status == Performance.Status.SCORED else "unscored"] += 1
            elif step is not None:
                counts["escalated"] += 1
