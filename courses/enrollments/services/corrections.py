"""Corrections: a result recorded by mistake is set back, and what followed from it is undone.

``activity_record_result`` never undoes a pass (a learner's later failed attempt must not take back an
earlier success). A correction is different: the pass itself was wrong (an attendance mark taken in
error, say). ``activity_result_correct`` sets the activity's progress back, recomputes the enrollment
with the same reads and the same arithmetic as ``activity_record_result`` (``_recompute_reads``,
``progress_recompute``), and when the enrollment was completed and no longer qualifies, opens it again
and revokes its certificate, giving the correction's reason. When the learner later completes properly,
the usual completion path runs again and ``certificate_issue`` issues a new certificate in place of the
revoked one.

Who corrected what, when and why is kept: the certificate's revocation event holds the actor and the
reason, the caller's own log (a workshop registration's attendance event) holds it too, and a log line
names the enrollment, the activity, the actor and the values before and after.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses.catalog.models import Activity
from courses.certificates.models import Certificate
from courses.certificates.services import certificate_revoke
from courses.enrollments.errors import EnrollmentErrorCode, ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.progress import progress_recompute
from courses.enrollments.services import _check_recordable, _lock_enrollment, _recompute_reads

logger = logging.getLogger(__name__)

MAX_REASON = 500
SET_BACK = (ActivityProgress.Status.FAILED, ActivityProgress.Status.IN_PROGRESS, ActivityProgress.Status.NOT_STARTED)


@dataclass(frozen=True)
class Correction:
    """What a correction did: the progress row (None when the activity had none), whether the
    enrollment was opened again, and the certificate it revoked (None when none was)."""

    progress: ActivityProgress | None
    reopened: bool
    revoked: Certificate | None


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ProgressError("Say why the result is corrected.", code=EnrollmentErrorCode.INVALID_PROGRESS,
                            fields={"reason": ["This field is required."]})
    return reason[:MAX_REASON]


def _reopen_if_no_longer_complete(enrollment: Enrollment, *, all_required_passed: bool) -> bool:
    """A completed enrollment that no longer meets the completion rule becomes active again."""
    qualifies = all_required_passed and (enrollment.final_score or 0) >= enrollment.course.passing_score
    if enrollment.status != Enrollment.Status.COMPLETED or qualifies:
        return False
    enrollment.status = Enrollment.Status.ACTIVE
    enrollment.completed_at = None
    return True


def activity_result_correct(
    *, enrollment: Enrollment, activity: Activity, actor: Any, reason: str,
    status: str = ActivityProgress.Status.FAILED, score: Decimal | None = None,
) -> Correction:
    """Set ``activity``'s progress back to ``status`` (failed, in progress or not started) with
    ``score`` (None clears it), recompute the enrollment's percent and final score, and if it was
    completed and no longer qualifies, make it active again and revoke its certificate with ``reason``.

    ``actor`` is the person correcting (kept on the revocation). Atomic, the enrollment row locked
    as ``activity_record_result`` locks it. Nothing to correct (no progress row) changes nothing."""
    reason = _reason_checked(reason)
    if status not in SET_BACK:
        raise ProgressError("A correction sets a result back; a pass is recorded as a result.",
                            code=EnrollmentErrorCode.INVALID_PROGRESS, fields={"status": ["Not a pass."]})
    if score is not None and not Decimal(0) <= Decimal(str(score)) <= Decimal(100):
        raise ProgressError("A score is between 0 and 100.", code=EnrollmentErrorCode.INVALID_SCORE,
                            fields={"score": ["0-100."]})
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment)
        _check_recordable(enrollment, activity)
        progress = ActivityProgress.objects.select_for_update().filter(enrollment=enrollment,
                                                                       activity=activity).first()
        if progress is None:
            return Correction(progress=None, reopened=False, revoked=None)
        before = {"status": progress.status, "score": str(progress.score) if progress.score is not None else None,
                  "enrollment": enrollment.status, "percent": enrollment.progress_percent}
        progress.status = status
        progress.score = Decimal(str(score)) if score is not None else None
        progress.completed_at = None
        progress.last_seen_at = timezone.now()
        progress.save(update_fields=["status", "score", "completed_at", "last_seen_at"])
        activities, rows = _recompute_reads(enrollment)
        enrollment.progress_percent, enrollment.final_score, all_required_passed = progress_recompute(activities,
                                                                                                     rows)
        reopened = _reopen_if_no_longer_complete(enrollment, all_required_passed=all_required_passed)
        enrollment.save(update_fields=["progress_percent", "final_score", "status", "completed_at", "updated_at"])
        revoked = None
        if reopened:
            certificate = Certificate.objects.filter(enrollment=enrollment, status=Certificate.Status.VALID).first()
            if certificate is not None:
                revoked = certificate_revoke(certificate=certificate, actor=actor, reason=reason)
        progress.enrollment, progress.activity = enrollment, activity
    logger.info(
        "progress corrected: enrollment %s activity %s by %s: %s -> status %s, percent %s, enrollment %s%s; reason: %s",
        enrollment.pk, activity.pk, getattr(actor, "pk", None), before, progress.status, enrollment.progress_percent,
        enrollment.status, f", certificate {revoked.code} revoked" if revoked else "", reason)
    return Correction(progress=progress, reopened=reopened, revoked=revoked)
