"""The one door into progress: ``activity_record_result`` (GUIDE §2, the completion model).

Every app — lessons here, quizzes, role-plays and workshops elsewhere — reports a result
through it. In one transaction, with the enrollment row locked, it updates the activity's
progress, the enrollment's progress percent, final score and time spent, and completes the
enrollment when the last required activity passes and the final score reaches the course's
passing score. Completion hooks (the certificate issuer, for one) run after commit.

Rules:
- progress percent = weight of passed required activities / weight of all required activities
  (an activity of weight 0 counts as weight 1 here, so it still moves the bar);
- final score = weighted mean, over activities with weight > 0 that are required, of each one's
  best score (a passed activity without a score counts 100, an unattempted required one 0);
  attempted optional activities join the mean only where they raise it (best first), so
  optional work never blocks completion nor lowers a score. A course with no required
  activity treats all of them as required;
- the best attempt counts: a later failure never undoes a pass or lowers a score;
- recording the same result again changes nothing but attempts and time: a completed
  enrollment completes exactly once, even when two final results race (the row lock).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from courses.errors import EnrollmentConflict, ProgressError
from courses.models import Activity, ActivityProgress, Enrollment

logger = logging.getLogger(__name__)

# One report of time spent is capped: a tab left open all weekend is not eight hours of study.
MAX_SECONDS_PER_RESULT = 4 * 3600
MAX_SECONDS_PER_HEARTBEAT = 300

CompletionHook = Callable[[int], None]
_completion_hooks: list[CompletionHook] = []


def on_enrollment_completed(func: CompletionHook) -> CompletionHook:
    """Register ``func(enrollment_id)`` to run after the commit that completes an enrollment.

    Hooks should only enqueue work (``task.delay``); the reconciler covers a hook that fails,
    so a failure here is logged and never turns the learner's request into an error.
    """
    if func not in _completion_hooks:
        _completion_hooks.append(func)
    return func


def _run_completion_hooks(enrollment_id: int) -> None:
    for hook in list(_completion_hooks):
        try:
            hook(enrollment_id)
        except Exception:
            logger.exception("completion hook %s failed for enrollment %s", getattr(hook, "__name__", hook),
                             enrollment_id)


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    # Lock only the enrollment row; the joined rows are read for the caller's response.
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course", "user", "organization")
        .get(pk=enrollment.pk)
    )


def _check_recordable(enrollment: Enrollment, activity: Activity) -> None:
    if activity.course_id != enrollment.course_id:
        raise ProgressError("This activity is not part of the enrollment's course.", code="activity_not_in_course",
                            status_code=404)
    if enrollment.status in (Enrollment.Status.WITHDRAWN, Enrollment.Status.EXPIRED):
        raise EnrollmentConflict(
            f"The enrollment is {enrollment.status}; enroll again to continue.", code="enrollment_not_active"
        )


def _recompute(enrollment: Enrollment) -> tuple[int, Decimal | None, bool]:
    """Progress percent, final score and "every required activity passed", from two queries."""
    activities = list(Activity.objects.filter(course_id=enrollment.course_id).values("id", "required", "weight"))
    rows = {
        row["activity_id"]: row
        for row in ActivityProgress.objects.filter(enrollment=enrollment).values("activity_id", "status", "score")
    }
    required = [a for a in activities if a["required"]] or activities
    total = sum(max(a["weight"], 1) for a in required)
    done = sum(max(a["weight"], 1) for a in required if rows.get(a["id"], {}).get("status") == "passed")
    percent = int(done * 100 // total) if total else 0

    def best(activity_id: int) -> Decimal:
        row = rows.get(activity_id)
        if row is None:
            return Decimal(0)
        if row["score"] is not None:
            return row["score"]
        return Decimal(100) if row["status"] == "passed" else Decimal(0)

    weighted, weights = Decimal(0), 0
    for activity in required:
        if activity["weight"]:
            weighted += best(activity["id"]) * activity["weight"]
            weights += activity["weight"]
    required_ids = {a["id"] for a in required}
    optional = sorted(
        ((best(a["id"]), a["weight"]) for a in activities
         if a["id"] not in required_ids and a["weight"] and a["id"] in rows),
        key=lambda item: item[0], reverse=True,
    )
    for score, weight in optional:
        if weights and score * weights <= weighted:  # would not raise the mean (nor would any after it)
            break
        weighted += score * weight
        weights += weight
    final = (weighted / weights).quantize(Decimal("0.01")) if weights else None
    all_passed = bool(required) and all(rows.get(a["id"], {}).get("status") == "passed" for a in required)
    return percent, final, all_passed


def activity_record_result(
    *, enrollment: Enrollment, activity: Activity, passed: bool, score: Decimal | float | int | None = None,
    time_spent_seconds: int = 0,
) -> ActivityProgress:
    """Record one result for ``activity`` and complete the enrollment if this was the last step."""
    if score is not None:
        score = Decimal(str(score))
        if not Decimal(0) <= score <= Decimal(100):
            raise ProgressError("A score is between 0 and 100.", code="invalid_score", fields={"score": ["0-100."]})
    if time_spent_seconds < 0:
        raise ProgressError("Time spent cannot be negative.", code="invalid_time",
                            fields={"time_spent_seconds": ["Must be 0 or more."]})
    seconds = min(int(time_spent_seconds), MAX_SECONDS_PER_RESULT)
    now = timezone.now()

    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment)
        _check_recordable(enrollment, activity)
        progress, _ = ActivityProgress.objects.select_for_update().get_or_create(
            enrollment=enrollment, activity=activity, defaults={"first_seen_at": now, "last_seen_at": now}
        )
        progress.enrollment = enrollment  # the locked, up-to-date row, for the caller
        progress.attempts += 1
        progress.last_seen_at = now
        progress.time_spent_seconds += seconds
        if score is not None and (progress.score is None or score > progress.score):
            progress.score = score
        if passed and progress.status != ActivityProgress.Status.PASSED:
            progress.status = ActivityProgress.Status.PASSED
            progress.completed_at = now
        elif not passed and progress.status != ActivityProgress.Status.PASSED:
            progress.status = ActivityProgress.Status.FAILED
        progress.save()

        enrollment.progress_percent, enrollment.final_score, all_required_passed = _recompute(enrollment)
        enrollment.last_activity_at = now
        enrollment.time_spent_seconds += seconds
        just_completed = False
        if (
            enrollment.status == Enrollment.Status.ACTIVE
            and all_required_passed
            and (enrollment.final_score or 0) >= enrollment.course.passing_score
        ):
            enrollment.status = Enrollment.Status.COMPLETED
            enrollment.completed_at = now
            just_completed = True
        enrollment.save(update_fields=[
            "progress_percent", "final_score", "last_activity_at", "time_spent_seconds", "status", "completed_at",
            "updated_at",
        ])
        if just_completed:
            enrollment_id = enrollment.pk
            transaction.on_commit(lambda: _run_completion_hooks(enrollment_id))
    return progress


def lesson_complete(*, enrollment: Enrollment, activity: Activity, time_spent_seconds: int = 0) -> ActivityProgress:
    """A learner marks a lesson done. Quizzes, role-plays and workshops complete through their own flows."""
    if activity.kind != Activity.Kind.LESSON:
        raise ProgressError(
            f"A {activity.get_kind_display().lower()} is completed through its own flow, not marked done.",
            code="not_a_lesson", status_code=409,
        )
    return activity_record_result(enrollment=enrollment, activity=activity, passed=True,
                                  time_spent_seconds=time_spent_seconds)


def activity_heartbeat(*, enrollment: Enrollment, activity: Activity, seconds: int) -> ActivityProgress:
    """Time on an activity reported while the learner is on it (at most 5 minutes per beat)."""
    if seconds < 0:
        raise ProgressError("Seconds cannot be negative.", code="invalid_time", fields={"seconds": ["Must be >= 0."]})
    seconds = min(int(seconds), MAX_SECONDS_PER_HEARTBEAT)
    now = timezone.now()
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment)
        _check_recordable(enrollment, activity)
        progress, _ = ActivityProgress.objects.select_for_update().get_or_create(
            enrollment=enrollment, activity=activity,
            defaults={"first_seen_at": now, "status": ActivityProgress.Status.IN_PROGRESS},
        )
        progress.enrollment = enrollment  # the locked, up-to-date row, for the caller
        if progress.status == ActivityProgress.Status.NOT_STARTED:
            progress.status = ActivityProgress.Status.IN_PROGRESS
        progress.last_seen_at = now
        progress.time_spent_seconds += seconds
        progress.save(update_fields=["status", "last_seen_at", "time_spent_seconds"])
        enrollment.last_activity_at = now
        enrollment.time_spent_seconds += seconds
        enrollment.save(update_fields=["last_activity_at", "time_spent_seconds", "updated_at"])
    return progress
