"""Enrolling, bulk enrolling and withdrawing.

Rules:
- Self-enrollment: a published course the learner may see. A repeat returns the same
  enrollment (idempotent).
- The enrollment's organization (which HR reports see it) is the course's owner for a private
  course; for a public course, the organization named in the request, else the learner's only
  (or first) membership.
- Withdrawing: an active enrollment only (a completed one stays completed). Re-enrolling after
  withdrawal or expiry reactivates the same row: progress is kept, the due date restarts.
- Bulk enrollment (instructors of the course, org admins and HR): each row stands alone and is
  idempotent; only active members of an organization where the caller holds one of those roles
  can be enrolled, into a course that organization may see.
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from courses.catalog.models import Activity, Course
from courses.certificates.services import certificate_schedule_issue
from courses.enrollments.errors import EnrollmentConflict, EnrollmentErrorCode, ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.progress import progress_apply, progress_recompute
from courses.enrollments.services.kept_statements import enrollment_progress_save, own_enrollment_locked
from courses.errors import CoursesError, CoursesErrorCode
from courses.hr_reports.services.webhooks import webhook_completion_emit
from courses.xapi.services import events as xapi
from lms.csv_uploads import csv_delimiter, csv_upload_text
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError, NotFound
from lms.kept_statements import kept_cursor
from lms.models import Membership, Organization, Role, User
from lms.scoping import is_unrestricted, organization_ids_for

MAX_BULK_ROWS = 5_000


def _due_at(course: Course, start):
    return start + timedelta(days=course.due_days) if course.due_days else None


def _default_organization(user: User, course: Course, organization: Organization | None) -> Organization | None:
    if course.organization_id:
        return course.organization
    if organization is not None:
        if not Membership.objects.filter(user=user, organization=organization, is_active=True).exists():
            raise CoursesError("You are not a member of that organization.", code=EnrollmentErrorCode.NOT_A_MEMBER,
                               fields={"organization": ["Not one of your organizations."]})
        return organization
    membership = Membership.objects.filter(user=user, is_active=True).select_related("organization").order_by("id")
    first = membership.first()
    return first.organization if first else None


def _enroll(*, user: User, course: Course, organization: Organization | None, enrolled_by: User | None) -> tuple[
        Enrollment, str]:
    """Create or reactivate; returns the enrollment and what happened."""
    now = timezone.now()
    existing = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if existing is not None:
        if existing.status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
            return existing, "already_enrolled"
        existing.status = Enrollment.Status.ACTIVE
        existing.withdrawn_at = None
        existing.due_at = _due_at(course, now)
        existing.enrolled_by = enrolled_by or existing.enrolled_by
        existing.save(update_fields=["status", "withdrawn_at", "due_at", "enrolled_by", "updated_at"])
        return existing, "reactivated"
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user, course=course, organization=organization, enrolled_by=enrolled_by, enrolled_at=now,
                due_at=_due_at(course, now),
            )
    except IntegrityError:
        # Two requests raced to enroll the same person: the other one won, which is the same outcome.
        return Enrollment.objects.get(user=user, course=course), "already_enrolled"
    xapi.xapi_enrollment_registered(enrollment=enrollment)
    return enrollment, "enrolled"


def enrollment_create(
    *, user: User, course: Course, organization: Organization | None = None, enrolled_by: User | None = None
) -> tuple[Enrollment, bool]:
    """Self-enroll ``user`` in a published course they can see. Returns (enrollment, created_or_reactivated)."""
    if course.status != Course.Status.PUBLISHED:
        raise EnrollmentConflict("This course is not open for enrollment.",
                                 code=EnrollmentErrorCode.COURSE_NOT_PUBLISHED)
    if course.organization_id and course.organization_id not in organization_ids_for(user) and not \
            is_unrestricted(user):
        raise NotFound("No such course.", code=CoursesErrorCode.COURSE_NOT_FOUND)
    with transaction.atomic():
        org = _default_organization(user, course, organization)
        enrollment, outcome = _enroll(user=user, course=course, organization=org, enrolled_by=enrolled_by)
    return enrollment, outcome != "already_enrolled"


def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status == Enrollment.Status.WITHDRAWN:
            return enrollment
        if enrollment.status != Enrollment.Status.ACTIVE:
            raise EnrollmentConflict(f"A {enrollment.status} enrollment cannot be withdrawn.",
                                     code=EnrollmentErrorCode.CANNOT_WITHDRAW)
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.withdrawn_at = timezone.now()
        enrollment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return enrollment


def bulk_enroll_organizations(*, actor: Any, course: Course) -> set[int]:
    """Organizations whose members ``actor`` may enroll into ``course``."""
    if is_unrestricted(actor):
        allowed = set(Organization.objects.values_list("id", flat=True))
    else:
        allowed = organization_ids_for(actor, Role.ORG_ADMIN, Role.HR)
        if course.instructors.filter(pk=actor.pk).exists():
            allowed |= organization_ids_for(actor, Role.INSTRUCTOR)
    if course.organization_id:
        allowed &= {course.organization_id}
    return allowed


def parse_emails_csv(data: bytes) -> list[str]:
    text = csv_upload_text(data)
    if "\x00" in text:
        raise ApplicationError("The file holds NUL characters: it is not a text CSV.",
                               code=PlatformErrorCode.INVALID_CSV)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text)))
    except csv.Error as exc:
        raise ApplicationError(f"The CSV cannot be read: {exc}.", code=PlatformErrorCode.INVALID_CSV) from None
    if not rows:
        raise ApplicationError("The file is empty.", code=PlatformErrorCode.EMPTY_FILE)
    header = [cell.strip().lower() for cell in rows[0]]
    if "email" not in header:
        raise ApplicationError("The first line must name the columns and include 'email'.",
                               code=PlatformErrorCode.MISSING_COLUMNS)
    index = header.index("email")
    return [(row[index] if index < len(row) else "").strip() for row in rows[1:] if any(c.strip() for c in row)]


def enrollments_bulk_create(
    *, actor: User, course: Course, emails: list[str], organization: Organization | None = None
) -> list[dict]:
    """Enroll each address, row by row. Returns one result per row, in order."""
    if course.status != Course.Status.PUBLISHED:
        raise EnrollmentConflict("Publish the course before enrolling people.",
                                 code=EnrollmentErrorCode.COURSE_NOT_PUBLISHED)
    if not emails:
        raise ApplicationError("Send at least one email address.", code=EnrollmentErrorCode.NO_ROWS,
                               fields={"emails": ["Empty."]})
    if len(emails) > MAX_BULK_ROWS:
        raise ApplicationError(f"At most {MAX_BULK_ROWS} rows at once.", code=PlatformErrorCode.TOO_MANY_ROWS)
    allowed = bulk_enroll_organizations(actor=actor, course=course)
    if organization is not None:
        if organization.pk not in allowed:
            raise NotFound("No such organization.", code=PlatformErrorCode.ORGANIZATION_NOT_FOUND)
        allowed = {organization.pk}
    if not allowed:
        raise ApplicationError("You cannot enroll people into this course.", code=PlatformErrorCode.PERMISSION_DENIED,
                               status_code=403)

    normalized = [(email or "").strip().lower() for email in emails]
    memberships: dict[str, Membership] = {}
    for member in (
        Membership.objects.filter(user__email__in=[e for e in normalized if e], organization_id__in=allowed,
                                  is_active=True)
        .select_related("user", "organization")
        .order_by("id")
    ):
        memberships.setdefault(member.user.email.lower(), member)

    results: list[dict] = []
    seen: dict[str, int] = {}
    for number, email in enumerate(normalized, start=1):
        result: dict = {"row": number, "email": email, "result": "error", "enrollment_id": None, "error": ""}
        results.append(result)
        try:
            validate_email(email)
        except ValidationError:
            result["error"] = "Not a valid email address." if email else "Email is missing."
            continue
        if email in seen:
            result["error"] = f"Repeats row {seen[email]}."
            continue
        seen[email] = number
        membership = memberships.get(email)
        if membership is None:
            result["error"] = "Not an active member of an organization you can enroll people from."
            continue
        with transaction.atomic():
            enrollment, outcome = _enroll(user=membership.user, course=course,
                                          organization=course.organization or membership.organization,
                                          enrolled_by=actor)
        result.update(result=outcome, enrollment_id=enrollment.pk)
    return results


logger = logging.getLogger(__name__)


# One report of time spent is capped: a tab left open all weekend is not eight hours of study.
MAX_SECONDS_PER_RESULT = 4 * 3600


MAX_SECONDS_PER_HEARTBEAT = 300


CompletionHook = Callable[[int], None]


_completion_hooks: list[CompletionHook] = []


def on_enrollment_completed(func: CompletionHook) -> CompletionHook:
    """Add ``func(enrollment_id)`` to what runs after the commit that completes an enrollment, after the
    steps of ``_after_enrollment_completed`` (an extension point for other apps and for tests).

    Hooks should only enqueue work; the reconciler covers a hook that fails, so a failure here is
    logged and never turns the learner's request into an error.
    """
    if func not in _completion_hooks:
        _completion_hooks.append(func)
    return func


def _after_enrollment_completed(enrollment_id: int) -> None:
    """Runs after the commit that completes an enrollment: the certificate is scheduled, then the
    ``enrollment.completed`` webhooks are recorded, then any added hook runs. Each step only enqueues
    work and a reconciler repeats what a failed step missed, so a failure is logged, never raised."""
    logger.info("enrollment %s completed", enrollment_id)
    for step in (certificate_schedule_issue, webhook_completion_emit, *_completion_hooks):
        try:
            step(enrollment_id)
        except Exception:
            logger.exception("completion hook %s failed for enrollment %s", getattr(step, "__name__", step),
                             enrollment_id)


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    # Lock only the enrollment row; the joined rows are read for the caller's response, and the
    # organization's LRS endpoint for the xAPI events (which then need no look-up of their own).
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course", "user", "organization__lrs_endpoint")
        .get(pk=enrollment.pk)
    )


def _check_recordable(enrollment: Enrollment, activity: Activity) -> None:
    if activity.course_id != enrollment.course_id:
        raise ProgressError("This activity is not part of the enrollment's course.",
                            code=EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                            status_code=404)
    if enrollment.status in (Enrollment.Status.WITHDRAWN, Enrollment.Status.EXPIRED):
        raise EnrollmentConflict(
            f"The enrollment is {enrollment.status}; enroll again to continue.",
            code=EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE
        )


def _recompute_reads(enrollment: Enrollment) -> tuple[list[Mapping[str, Any]], dict[int, Mapping[str, Any]]]:
    """The course's activities and the enrollment's progress rows, in two queries (the SQLite path)."""
    activities: list[Mapping[str, Any]] = list(
        Activity.objects.filter(course_id=enrollment.course_id).values("id", "required", "weight"))
    rows: dict[int, Mapping[str, Any]] = {
        row["activity_id"]: row
        for row in ActivityProgress.objects.filter(enrollment=enrollment).values("activity_id", "status", "score")
    }
    return activities, rows


# PostgreSQL: insert or update the progress row and read what the recompute needs, in one statement.
# It runs after the statement that locked the enrollment, so its snapshot holds every result committed
# before the lock was granted (a racing result for another activity included); the row it writes is
# not visible to its own reads, so those read the other rows and the upserted one comes back through
# RETURNING. The CASEs are ``progress_apply``: a pass is never undone, the best score is kept.
# (the written progress row, the course's activities, the enrollment's progress rows by activity id)
_Written = tuple[ActivityProgress, list[Mapping[str, Any]], dict[int, Mapping[str, Any]]]
_PROGRESS_COLUMNS = ("id", "status", "score", "attempts", "first_seen_at", "last_seen_at", "completed_at",
                     "time_spent_seconds")
_PROGRESS_UPSERT = """
WITH upserted AS (
    INSERT INTO {progress} AS p (enrollment_id, activity_id, status, score, attempts, first_seen_at,
                                 last_seen_at, completed_at, time_spent_seconds)
    VALUES (%(enrollment)s, %(activity)s, %(status)s, %(score)s, 1, %(now)s, %(now)s, %(completed_at)s,
            %(seconds)s)
    ON CONFLICT (enrollment_id, activity_id) DO UPDATE SET
        attempts = p.attempts + 1,
        last_seen_at = EXCLUDED.last_seen_at,
        time_spent_seconds = p.time_spent_seconds + EXCLUDED.time_spent_seconds,
        score = CASE WHEN EXCLUDED.score IS NOT NULL AND (p.score IS NULL OR EXCLUDED.score > p.score)
                     THEN EXCLUDED.score ELSE p.score END,
        status = CASE WHEN p.status = 'passed' THEN p.status ELSE EXCLUDED.status END,
        completed_at = CASE WHEN p.status <> 'passed' AND EXCLUDED.status = 'passed'
                            THEN EXCLUDED.completed_at ELSE p.completed_at END
    RETURNING {returned}
)
SELECT upserted.*,
       (SELECT array_agg(a.id ORDER BY a.id) FROM {activity} a WHERE a.course_id = %(course)s),
       (SELECT array_agg(a.required ORDER BY a.id) FROM {activity} a WHERE a.course_id = %(course)s),
       (SELECT array_agg(a.weight ORDER BY a.id) FROM {activity} a WHERE a.course_id = %(course)s),
       (SELECT array_agg(o.activity_id ORDER BY o.id) FROM {progress} o
         WHERE o.enrollment_id = %(enrollment)s AND o.activity_id <> %(activity)s),
       (SELECT array_agg(o.status ORDER BY o.id) FROM {progress} o
         WHERE o.enrollment_id = %(enrollment)s AND o.activity_id <> %(activity)s),
       (SELECT array_agg(o.score ORDER BY o.id) FROM {progress} o
         WHERE o.enrollment_id = %(enrollment)s AND o.activity_id <> %(activity)s)
FROM upserted
"""


def _progress_upsert(enrollment: Enrollment, activity: Activity, *, passed: bool, score: Decimal | None,
                     seconds: int, now) -> _Written:
    """The PostgreSQL path: (the written progress row, the course's activities, every progress row)."""
    quote = connection.ops.quote_name
    sql = _PROGRESS_UPSERT.format(progress=quote(ActivityProgress._meta.db_table),
                                  activity=quote(Activity._meta.db_table),
                                  returned=", ".join(quote(column) for column in _PROGRESS_COLUMNS))
    status = ActivityProgress.Status.PASSED if passed else ActivityProgress.Status.FAILED
    with kept_cursor() as cursor:
        cursor.execute(sql, {"enrollment": enrollment.pk, "activity": activity.pk, "course": enrollment.course_id,
                             "status": status, "score": score, "now": now, "completed_at": now if passed else None,
                             "seconds": seconds})
        row = cursor.fetchone()
    width = len(_PROGRESS_COLUMNS)
    values = dict(zip(_PROGRESS_COLUMNS, row[:width], strict=True))
    progress = ActivityProgress(enrollment=enrollment, activity=activity, **values)
    progress._state.adding, progress._state.db = False, connection.alias
    ids, required, weights, done_ids, statuses, scores = (column or [] for column in row[width:])
    activities: list[Mapping[str, Any]] = [
        {"id": i, "required": r, "weight": w} for i, r, w in zip(ids, required, weights, strict=True)]
    rows: dict[int, Mapping[str, Any]] = {
        i: {"status": s, "score": c} for i, s, c in zip(done_ids, statuses, scores, strict=True)}
    rows[activity.pk] = {"status": progress.status, "score": progress.score}
    return progress, activities, rows


def _progress_write(enrollment: Enrollment, activity: Activity, *, passed: bool, score: Decimal | None,
                    seconds: int, now) -> _Written:
    """Insert or update the progress row and read what the recompute needs: one statement on
    PostgreSQL, the ORM elsewhere (SQLite serialises writers, so nothing races there)."""
    if connection.vendor == "postgresql":
        return _progress_upsert(enrollment, activity, passed=passed, score=score, seconds=seconds, now=now)
    progress, _ = ActivityProgress.objects.select_for_update().get_or_create(
        enrollment=enrollment, activity=activity, defaults={"first_seen_at": now, "last_seen_at": now}
    )
    progress.enrollment = enrollment  # the locked, up-to-date row, for the caller
    progress_apply(progress, passed=passed, score=score, seconds=seconds, now=now)
    progress.save()
    activities, rows = _recompute_reads(enrollment)
    return progress, activities, rows


def _result_record(enrollment: Enrollment, activity: Activity, *, passed: bool, score: Decimal | None,
                   seconds: int) -> ActivityProgress:
    """Inside the transaction, the enrollment locked: write the progress row, recompute, complete."""
    now = timezone.now()
    _check_recordable(enrollment, activity)
    progress, activities, rows = _progress_write(enrollment, activity, passed=passed, score=score, seconds=seconds,
                                                 now=now)
    progress.enrollment, progress.activity = enrollment, activity
    if progress.first_seen_at == now:  # the row was started by this result
        xapi.xapi_lesson_launched(progress=progress)
    if progress.status == ActivityProgress.Status.PASSED and progress.completed_at == now:  # passed just now
        xapi.xapi_lesson_experienced(progress=progress)
    enrollment.progress_percent, enrollment.final_score, all_required_passed = progress_recompute(activities, rows)
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
        xapi.xapi_enrollment_completed(enrollment=enrollment)
    enrollment_progress_save(enrollment)
    if just_completed:
        enrollment_id = enrollment.pk
        transaction.on_commit(lambda: _after_enrollment_completed(enrollment_id))
    return progress


def _seconds_checked(time_spent_seconds: int) -> int:
    if time_spent_seconds < 0:
        raise ProgressError("Time spent cannot be negative.", code=EnrollmentErrorCode.INVALID_TIME,
                            fields={"time_spent_seconds": ["Must be 0 or more."]})
    return min(int(time_spent_seconds), MAX_SECONDS_PER_RESULT)


def activity_record_result(
    *, enrollment: Enrollment, activity: Activity, passed: bool, score: Decimal | float | int | None = None,
    time_spent_seconds: int = 0,
) -> ActivityProgress:
    """Record one result for ``activity`` and complete the enrollment if this was the last step.

    On PostgreSQL three statements: lock the enrollment (with its course, learner and organization,
    which the caller's response reuses), write the progress row and read the recompute's inputs
    (``_PROGRESS_UPSERT``), update the enrollment."""
    if score is not None:
        score = Decimal(str(score))
        if not Decimal(0) <= score <= Decimal(100):
            raise ProgressError("A score is between 0 and 100.", code=EnrollmentErrorCode.INVALID_SCORE,
                                fields={"score": ["0-100."]})
    seconds = _seconds_checked(time_spent_seconds)
    with transaction.atomic():
        return _result_record(_lock_enrollment(enrollment), activity, passed=passed, score=score, seconds=seconds)


def _refuse_unless_lesson(activity: Activity) -> None:
    if activity.kind != Activity.Kind.LESSON:
        raise ProgressError(
            f"A {activity.get_kind_display().lower()} is completed through its own flow, not marked done.",
            code=EnrollmentErrorCode.NOT_A_LESSON, status_code=409,
        )


def lesson_complete(*, enrollment: Enrollment, activity: Activity, time_spent_seconds: int = 0) -> ActivityProgress:
    """A learner marks a lesson done. Quizzes, role-plays and workshops complete through their own flows."""
    _refuse_unless_lesson(activity)
    return activity_record_result(enrollment=enrollment, activity=activity, passed=True,
                                  time_spent_seconds=time_spent_seconds)


def lesson_complete_own(*, user: User, enrollment_id: int, activity_id: int,
                        time_spent_seconds: int = 0) -> ActivityProgress:
    """``lesson_complete`` for the learner's own enrollment, by ids: the statement that locks the
    enrollment also reads the activity with its module (404 for an enrollment that is not the
    caller's, then 404 ``activity_not_found``), so the request takes no read before the lock.
    ``progress.enrollment`` and ``progress.activity`` carry what the answer shows."""
    seconds = _seconds_checked(time_spent_seconds)
    with transaction.atomic():
        found = own_enrollment_locked(user_id=user.pk, enrollment_id=enrollment_id, activity_id=activity_id)
        if found is None:
            raise Http404
        enrollment, activity = found
        if activity is None:
            raise NotFound("No such activity in this course.", code=EnrollmentErrorCode.ACTIVITY_NOT_FOUND)
        _refuse_unless_lesson(activity)
        progress = _result_record(enrollment, activity, passed=True, score=None, seconds=seconds)
    progress.activity = activity
    return progress


def activity_heartbeat(*, enrollment: Enrollment, activity: Activity, seconds: int) -> ActivityProgress:
    """Time on an activity reported while the learner is on it (at most 5 minutes per beat)."""
    if seconds < 0:
        raise ProgressError("Seconds cannot be negative.", code=EnrollmentErrorCode.INVALID_TIME,
                            fields={"seconds": ["Must be >= 0."]})
    seconds = min(int(seconds), MAX_SECONDS_PER_HEARTBEAT)
    now = timezone.now()
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment)
        _check_recordable(enrollment, activity)
        progress, started = ActivityProgress.objects.select_for_update().get_or_create(
            enrollment=enrollment, activity=activity,
            defaults={"first_seen_at": now, "status": ActivityProgress.Status.IN_PROGRESS},
        )
        progress.enrollment = enrollment  # the locked, up-to-date row, for the caller
        if started:
            xapi.xapi_lesson_launched(progress=progress)
        if progress.status == ActivityProgress.Status.NOT_STARTED:
            progress.status = ActivityProgress.Status.IN_PROGRESS
        progress.last_seen_at = now
        progress.time_spent_seconds += seconds
        progress.save(update_fields=["status", "last_seen_at", "time_spent_seconds"])
        enrollment.last_activity_at = now
        enrollment.time_spent_seconds += seconds
        enrollment.save(update_fields=["last_activity_at", "time_spent_seconds", "updated_at"])
    return progress
