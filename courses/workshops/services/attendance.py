"""Attendance: the session's instructors mark each booked learner per part, in bulk.

A learner's outcome follows from the marks of the required parts (all parts when none is
required): every one attended or late -> completed, which passes the workshop activity through
``activity_record_result``; every one absent -> a no-show; otherwise incomplete (a failed
attempt) or still pending while a required part is unmarked. Progress is told only when the
outcome changes, so marking the same sheet twice records nothing new.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.enrollments.services import activity_record_result
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


def _outcomes_apply(*, session: WorkshopSession, parts: dict[int, SessionPart], registrations: dict[int, Registration],
                    marks: dict[tuple[int, int], AttendanceMark], registration_ids: set[int], actor: Any,
                    now: datetime) -> None:
    """Each touched registration's outcome from its marks on the required parts (all parts when none is
    required); a change is logged and reaches the learner's progress on the workshop activity."""
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
        xapi_registration_event_record(event=RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.ATTENDANCE, actor=actor, at=now,
            detail={"from": previous, "to": outcome}))
        if outcome == Registration.Attendance.PENDING:
            continue
        if registration.enrollment.status not in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
            continue  # withdrawn since: the mark stays, progress is not touched
        activity_record_result(enrollment=registration.enrollment, activity=activity,
                               passed=outcome == Registration.Attendance.COMPLETED)


def attendance_record(*, session: WorkshopSession, actor: Any, marks: list[dict[str, Any]]) -> dict[str, int]:
    """Record ``marks`` ([{"registration": id, "part": id, "status": ...}]), all or nothing.

    Only the session's instructors may; only booked learners and parts of this session; a part that
    has not started yet takes only "excused". Returns counts of marks created, changed and unchanged.
    """
    if not session_is_instructor(actor=actor, session=session):
        raise Forbidden("Only the session's instructors take attendance.",
                        code=WorkshopErrorCode.NOT_SESSION_INSTRUCTOR)
    if not marks:
        raise WorkshopError("Send at least one mark.", code=WorkshopErrorCode.INVALID_ATTENDANCE,
                            fields={"marks": ["Empty."]})
    if len(marks) > MAX_MARKS:
        raise WorkshopError(f"At most {MAX_MARKS} marks at once.", code=WorkshopErrorCode.INVALID_ATTENDANCE,
                            fields={"marks": [f"At most {MAX_MARKS}."]})
    actor_user = actor  # the person who marked: an instructor, or a superuser in the back office
    now = timezone.now()
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
        if session.status == WorkshopSession.Status.CANCELLED:
            raise WorkshopConflict("This session was cancelled.", code=WorkshopErrorCode.SESSION_CANCELLED)
        parts = {part.pk: part for part in session.parts.all()}
        registrations = {
            registration.pk: registration
            for registration in Registration.objects.filter(session=session).select_related("enrollment")
        }
        errors = _marks_errors(marks, parts=parts, registrations=registrations, now=now)
        if errors:
            raise WorkshopError("Some marks cannot be recorded; nothing was saved.",
                                code=WorkshopErrorCode.INVALID_ATTENDANCE,
                                fields=errors)

        existing = {
            (row.registration_id, row.part_id): row
            for row in AttendanceMark.objects.filter(registration__session=session,
                                                     registration_id__in=[m["registration"] for m in marks])
        }
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
