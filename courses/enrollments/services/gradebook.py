"""What a course manager changes from the gradebook: overrides of a learner's result, and extensions.

Rules:
- An override sets an activity's score (0-100) and/or marks it passed, with a reason. It is recorded as one
  more result through ``activity_record_result``, so the enrollment's percent, final score and completion
  follow (the certificate is scheduled when it completes the course). As for every result, a pass is never
  undone and the best score is kept: an override that would change nothing is refused (409
  ``override_no_change``), so no audit row claims a change that did not happen. Every override writes a
  ``GradeOverride`` row: who, when, the activity, the status and score before and after, the reason.
- An extension is for one learner, with a reason: a later due date (the enrollment's ``due_at``; the
  earlier one is kept on the row), one or more extra attempts at a quiz, or more minutes on a quiz's clock.
  The quiz rules (``assessments.quizzes.services.attempts``) add the sums of the learner's extensions
  (``selectors.gradebook.extension_allowance``).
- Withdrawn and expired enrollments take neither (409 ``enrollment_not_active``).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses.catalog.models import Activity
from courses.enrollments.errors import EnrollmentConflict, EnrollmentErrorCode, ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment, Extension, GradeOverride
from courses.enrollments.services import activity_record_result
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError

MAX_EXTRA_ATTEMPTS = 10
MAX_EXTRA_MINUTES = 600
REASON_MAX_LENGTH = 1000
OPEN = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why.", code=PlatformErrorCode.REQUIRED, fields={"reason": ["Required."]},
                               status_code=400)
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(f"Keep the reason to {REASON_MAX_LENGTH} characters.", code=PlatformErrorCode.INVALID,
                               fields={"reason": [f"At most {REASON_MAX_LENGTH} characters."]})
    return reason


def _lock_open(enrollment: Enrollment) -> Enrollment:
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.status not in OPEN:
        raise EnrollmentConflict(f"The enrollment is {locked.status}: nothing can be changed on it.",
                                 code=EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE)
    return locked


def _score_checked(score: Decimal | float | int | None) -> Decimal | None:
    if score is None:
        return None
    value = Decimal(str(score))
    if not Decimal(0) <= value <= Decimal(100):
        raise ProgressError("A score is between 0 and 100.", code=EnrollmentErrorCode.INVALID_SCORE,
                            fields={"score": ["0-100."]})
    return value


def grade_override(*, actor: Any, enrollment: Enrollment, activity: Activity, reason: str,
                   score: Decimal | float | int | None = None, passed: bool = False) -> GradeOverride:
    """Set ``activity``'s score and/or mark it passed for the learner of ``enrollment``; returns the audit row."""
    reason = _reason_checked(reason)
    value = _score_checked(score)
    if value is None and not passed:
        raise ProgressError("Give a score, mark the activity passed, or both.", code=EnrollmentErrorCode.OVERRIDE_EMPTY,
                            fields={"score": ["Give a score or mark it passed."]})
    if activity.course_id != enrollment.course_id:
        raise ProgressError("This activity is not part of the enrollment's course.",
                            code=EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, status_code=404)
    with transaction.atomic():
        locked = _lock_open(enrollment)
        before = ActivityProgress.objects.filter(enrollment=locked, activity=activity).first()
        old_status = before.status if before else ActivityProgress.Status.NOT_STARTED
        old_score = before.score if before else None
        was_passed = old_status == ActivityProgress.Status.PASSED
        raises_score = value is not None and (old_score is None or value > old_score)
        if was_passed and not raises_score:
            raise EnrollmentConflict(
                "This would change nothing: the activity is passed already and a result never lowers its best score.",
                code=EnrollmentErrorCode.OVERRIDE_NO_CHANGE)
        if not passed and not raises_score and old_status == ActivityProgress.Status.FAILED:
            raise EnrollmentConflict("This would change nothing: the activity already has that score or a better one.",
                                     code=EnrollmentErrorCode.OVERRIDE_NO_CHANGE)
        progress = activity_record_result(enrollment=locked, activity=activity, passed=passed, score=value)
        return GradeOverride.objects.create(
            enrollment=locked, activity=activity, changed_by=actor if getattr(actor, "pk", None) else None,
            old_status=old_status, new_status=progress.status, old_score=old_score, new_score=progress.score,
            reason=reason,
        )


def _quiz_checked(enrollment: Enrollment, activity: Activity | None) -> Activity:
    if activity is None or activity.course_id != enrollment.course_id or activity.kind != Activity.Kind.QUIZ:
        raise ApplicationError("Choose a quiz of this course.", code=EnrollmentErrorCode.INVALID_EXTENSION,
                               fields={"activity": ["Choose a quiz of this course."]})
    return activity


def _amount_checked(amount: int | None, limit: int) -> int:
    if amount is None or not 1 <= int(amount) <= limit:
        raise ApplicationError(f"Give a whole number from 1 to {limit}.", code=EnrollmentErrorCode.INVALID_EXTENSION,
                               fields={"amount": [f"From 1 to {limit}."]})
    return int(amount)


def _due_checked(due_at: datetime | None) -> datetime:
    if due_at is None or due_at <= timezone.now():
        raise ApplicationError("Give a due date in the future.", code=EnrollmentErrorCode.INVALID_EXTENSION,
                               fields={"due_at": ["A date in the future."]})
    return due_at


def extension_grant(*, actor: Any, enrollment: Enrollment, kind: str, reason: str, activity: Activity | None = None,
                    amount: int | None = None, due_at: datetime | None = None) -> Extension:
    """Grant the learner of ``enrollment`` a later due date, extra attempts or more minutes on a quiz."""
    reason = _reason_checked(reason)
    fields: dict[str, Any] = {}
    if kind == Extension.Kind.DUE_DATE:
        fields["due_at"] = _due_checked(due_at)
    elif kind == Extension.Kind.EXTRA_ATTEMPT:
        fields.update(activity=_quiz_checked(enrollment, activity), amount=_amount_checked(amount, MAX_EXTRA_ATTEMPTS))
    elif kind == Extension.Kind.EXTRA_TIME:
        fields.update(activity=_quiz_checked(enrollment, activity), amount=_amount_checked(amount, MAX_EXTRA_MINUTES))
    else:
        raise ApplicationError("Choose what to extend.", code=EnrollmentErrorCode.INVALID_EXTENSION,
                               fields={"kind": ["Choose one."]})
    with transaction.atomic():
        locked = _lock_open(enrollment)
        if kind == Extension.Kind.DUE_DATE:
            fields["previous_due_at"] = locked.due_at
            locked.due_at = fields["due_at"]
            locked.save(update_fields=["due_at", "updated_at"])
        return Extension.objects.create(enrollment=locked, kind=kind, reason=reason,
                                        granted_by=actor if getattr(actor, "pk", None) else None, **fields)
