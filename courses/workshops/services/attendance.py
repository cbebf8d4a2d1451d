"""Attendance: the session's instructors mark each booked learner per part, in bulk.

A learner's outcome follows from the marks of the required parts (all parts when none is
required): every one attended or late -> completed, which passes the workshop activity through
``activity_record_result``; every one absent -> a no-show; otherwise incomplete (a failed
attempt) or still pending while a required part is unmarked. Progress is told only when the
outcome changes, so marking the same sheet twice records nothing new.

A mark corrected after the fact (attended -> absent) takes the pass back: when an outcome flips from
completed to anything else, ``activity_result_correct`` sets the workshop activity's progress back,
recomputes the enrollment and, when it no longer qualifies, opens it again and revokes its certificate
with the correction as the reason (the attendance event keeps it too). Marking the learner attended
again completes the enrollment through the usual path, which issues a new certificate.
``attendance_restore`` puts marks back as they were before a change, a missing mark included (the
attendance screen's undo).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.services import activity_record_result
from courses.enrollments.services.corrections import activity_result_correct
from courses.workshops.errors import WorkshopConflict, WorkshopError, WorkshopErrorCode
from courses.workshops.models import AttendanceMark, Registration, RegistrationEvent, SessionPart, WorkshopSession
from courses.workshops.selectors import session_is_instructor
from courses.xapi.services.events import xapi_registration_event_record
from lms.errors import Forbidden

MAX_MARKS = 5000
PRESENT = {AttendanceMark.Status.ATTENDED, AttendanceMark.Status.LATE}


def _outcome(required_ids: list[int], marks: dict[int, str]) -> str:
    statuses = [marks.get(part_id) for part_id in required_ids]
    if any(status is None for status in statuses):
        return Registration.Attendance.PENDING
    if all(status in PRESENT for status in statuses):
        return Registration.Attendance.COMPLETED
    if all(status == AttendanceMark.Status.ABSENT for status in statuses):
        return Registration.Attendance.NO_SHOW
    return Registration.Attendance.INCOMPLETE


def _marks_errors(marks: list[dict[str, Any]], *, parts: dict[int, SessionPart],
                  registrations: dict[int, Registration], now: datetime) -> dict[str, list[str]]:
    """What is wrong with each mark, by its place in the list ({} when all can be recorded)."""
    errors: dict[str, list[str]] = {}
    seen: set[tuple[Any, Any]] = set()  # the ids as the client sent them: not yet known to be ints
    for index, mark in enumerate(marks):
        registration_id: Any = mark.get("registration")
        part_id: Any = mark.get("part")
        registration = registrations.get(registration_id)
        part = parts.get(part_id)
        status = mark.get("status")
        if registration is None or registration.status != Registration.Status.BOOKED:
            errors[f"marks[{index}].registration"] = ["Not a booked learner of this session."]
        if part is None:
            errors[f"marks[{index}].part"] = ["Not a part of this session."]
        if status not in AttendanceMark.Status.values:
            errors[f"marks[{index}].status"] = [f"One of {', '.join(AttendanceMark.Status.values)}."]
        elif part is not None and part.starts_at > now and status != AttendanceMark.Status.EXCUSED:
            errors[f"marks[{index}].status"] = ["This part has not started; only 'excused' can be recorded."]
        key = (registration_id, part_id)
        if key in seen:
            errors[f"marks[{index}]"] = ["The same learner and part appear twice."]
        seen.add(key)
    return errors


def _correction_reason(session: WorkshopSession, previous: str, outcome: str) -> str:
    title = session.title or session.workshop.activity.title
    return f"Attendance corrected for the workshop session \"{title}\" (#{session.pk}): {previous} -> {outcome}."


def _pass_taken_back(*, session: WorkshopSession, registration: Registration, outcome: str, actor: Any) -> str | None:
    """A registration whose outcome was "completed" and is no longer: the workshop activity's pass is
    corrected, unless the learner has withdrawn since or another session of the same workshop completed
    it. Returns the reason given, or None when nothing was corrected."""
    if registration.enrollment.status not in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
        return None  # withdrawn since: the mark stays, progress is not touched
    completed_elsewhere = Registration.objects.filter(
        enrollment_id=registration.enrollment_id, session__workshop_id=session.workshop_id,
        attendance=Registration.Attendance.COMPLETED).exclude(pk=registration.pk).exists()
    if completed_elsewhere:
        return None
    reason = _correction_reason(session, Registration.Attendance.COMPLETED, outcome)
    set_back = (ActivityProgress.Status.IN_PROGRESS if outcome == Registration.Attendance.PENDING
                else ActivityProgress.Status.FAILED)
    activity_result_correct(enrollment=registration.enrollment, activity=session.workshop.activity,
                            actor=actor, reason=reason, status=set_back)
    return reason


def _outcomes_apply(*, session: WorkshopSession, parts: dict[int, SessionPart], registrations: dict[int, Registration],
                    marks: dict[tuple[int, int], AttendanceMark], registration_ids: set[int], actor: Any,
                    now: datetime) -> None:
    """Each touched registration's outcome from its marks on the required parts (all parts when none is
    required); a change is logged and reaches the learner's progress on the workshop activity (a pass
    taken back is a correction, see the module's docstring)."""
    required_ids = [pk for pk, part in parts.items() if part.required] or list(parts)
    by_registration: dict[int, dict[int, str]] = {}
    for (registration_id, part_id), row in marks.items():
        by_registration.setdefault(registration_id, {})[part_id] = row.status
    activity = session.workshop.activity
    for registration_id in registration_ids:
        registration = registrations[registration_id]
        outcome = _outcome(required_ids, by_registration.get(registration_id, {}))
        if outcome == registration.attendance:
            continue
        previous = registration.attendance
        registration.attendance = outcome
        registration.save(update_fields=["attendance", "updated_at"])
        detail = {"from": previous, "to": outcome}
        if previous == Registration.Attendance.COMPLETED:
            correction = _pass_taken_back(session=session, registration=registration, outcome=outcome, actor=actor)
            if correction:
                detail["correction"] = correction
        xapi_registration_event_record(event=RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.ATTENDANCE, actor=actor, at=now, detail=detail))
        if outcome == Registration.Attendance.PENDING or previous == Registration.Attendance.COMPLETED:
            continue  # nothing to add to progress: no result yet, or the pass was set back above
        if registration.enrollment.status not in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
            continue  # withdrawn since: the mark stays, progress is not touched
        activity_record_result(enrollment=registration.enrollment, activity=activity,
                               passed=outcome == Registration.Attendance.COMPLETED)


def _checked(*, session: WorkshopSession, actor: Any, marks: list[dict[str, Any]]) -> None:
    if not session_is_instructor(actor=actor, session=session):
        raise Forbidden("Only the session's instructors take attendance.",
                        code=WorkshopErrorCode.NOT_SESSION_INSTRUCTOR)
    if not marks:
        raise WorkshopError("Send at least one mark.", code=WorkshopErrorCode.INVALID_ATTENDANCE,
                            fields={"marks": ["Empty."]})
    if len(marks) > MAX_MARKS:
        raise WorkshopError(f"At most {MAX_MARKS} marks at once.", code=WorkshopErrorCode.INVALID_ATTENDANCE,
                            fields={"marks": [f"At most {MAX_MARKS}."]})


def _session_locked(session: WorkshopSession) -> tuple[WorkshopSession, dict[int, SessionPart],
                                                        dict[int, Registration]]:
    """Inside the transaction: the session locked (refused when cancelled), its parts and registrations."""
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    if session.status == WorkshopSession.Status.CANCELLED:
        raise WorkshopConflict("This session was cancelled.", code=WorkshopErrorCode.SESSION_CANCELLED)
    parts = {part.pk: part for part in session.parts.all()}
    registrations = {
        registration.pk: registration
        for registration in Registration.objects.filter(session=session).select_related("enrollment")
    }
    return session, parts, registrations


def _existing_marks(session: WorkshopSession, marks: list[dict[str, Any]]) -> dict[tuple[int, int], AttendanceMark]:
    return {
        (row.registration_id, row.part_id): row
        for row in AttendanceMark.objects.filter(registration__session=session,
                                                 registration_id__in=[m["registration"] for m in marks])
    }


def attendance_record(*, session: WorkshopSession, actor: Any, marks: list[dict[str, Any]]) -> dict[str, int]:
    """Record ``marks`` ([{"registration": id, "part": id, "status": ...}]), all or nothing.

    Only the session's instructors may; only booked learners and parts of this session; a part that
    has not started yet takes only "excused". Returns counts of marks created, changed and unchanged.
    """
    _checked(session=session, actor=actor, marks=marks)
    actor_user = actor  # the person who marked: an instructor, or a superuser in the back office
    now = timezone.now()
    with transaction.atomic():
        session, parts, registrations = _session_locked(session)
        errors = _marks_errors(marks, parts=parts, registrations=registrations, now=now)
        if errors:
            raise WorkshopError("Some marks cannot be recorded; nothing was saved.",
                                code=WorkshopErrorCode.INVALID_ATTENDANCE,
                                fields=errors)
        existing = _existing_marks(session, marks)
        to_create, to_update, unchanged = [], [], 0
        for mark in marks:
            row = existing.get((mark["registration"], mark["part"]))
            if row is None:
                row = AttendanceMark(registration_id=mark["registration"], part_id=mark["part"], status=mark["status"],
                                     marked_by=actor_user, marked_at=now)
                to_create.append(row)
                existing[(row.registration_id, row.part_id)] = row
            elif row.status != mark["status"]:
                row.status, row.marked_by, row.marked_at = mark["status"], actor_user, now
                to_update.append(row)
            else:
                unchanged += 1
        AttendanceMark.objects.bulk_create(to_create)
        AttendanceMark.objects.bulk_update(to_update, ["status", "marked_by", "marked_at"])

        _outcomes_apply(session=session, parts=parts, registrations=registrations, marks=existing,
                        registration_ids={m["registration"] for m in marks}, actor=actor_user, now=now)
    return {"created": len(to_create), "changed": len(to_update), "unchanged": unchanged}


def attendance_restore(*, session: WorkshopSession, actor: Any, marks: list[dict[str, Any]]) -> dict[str, int]:
    """Put marks back as they were before a change (undo): ``marks`` as for ``attendance_record``, where a
    ``status`` of None removes the mark (there was none). All or nothing, under the same rules; outcomes
    and progress follow as they do for any mark. Returns counts of marks recorded and removed."""
    _checked(session=session, actor=actor, marks=marks)
    to_set = [mark for mark in marks if mark.get("status") is not None]
    to_remove = [mark for mark in marks if mark.get("status") is None]
    now = timezone.now()
    with transaction.atomic():
        locked, parts, registrations = _session_locked(session)
        errors = _marks_errors([{**mark, "status": mark.get("status") or AttendanceMark.Status.EXCUSED}
                                for mark in marks], parts=parts, registrations=registrations, now=now)
        if errors:
            raise WorkshopError("Some marks cannot be restored; nothing was changed.",
                                code=WorkshopErrorCode.INVALID_ATTENDANCE, fields=errors)
        counts = {"recorded": 0, "removed": 0}
        if to_set:
            recorded = attendance_record(session=locked, actor=actor, marks=to_set)
            counts["recorded"] = recorded["created"] + recorded["changed"]
        if to_remove:
            locked, parts, registrations = _session_locked(locked)  # as the marks just recorded left them
            existing = _existing_marks(locked, to_remove)
            gone = [existing.pop((m["registration"], m["part"])) for m in to_remove
                    if (m["registration"], m["part"]) in existing]
            AttendanceMark.objects.filter(pk__in=[row.pk for row in gone]).delete()
            counts["removed"] = len(gone)
            everything = _existing_marks(locked, to_remove)
            _outcomes_apply(session=locked, parts=parts, registrations=registrations, marks=everything,
                            registration_ids={m["registration"] for m in to_remove}, actor=actor, now=now)
    return counts
