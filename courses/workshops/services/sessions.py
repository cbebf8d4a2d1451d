"""Workshops: authoring sessions, registering, the waitlist and its promotions, approval, cancelling.

Seats are counted under the session's row lock: every registration, cancellation, approval and
capacity change locks the session row first, so concurrent requests queue up and a session is
never overbooked. Each registration takes the session's next arrival number (``ticket``) under
that lock, so the waitlist is promoted in arrival order.

Each change of a learner's place raises the registration's ``sequence`` and writes an event;
changes that matter to the learner's calendar log an email (unique key) in the same transaction,
sent by a Celery task after commit (courses/workshops/services/mail.py).
"""
from __future__ import annotations

import itertools
import logging
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.catalog.models import Activity
from courses.enrollments.models import Enrollment
from courses.workshops.errors import WorkshopConflict, WorkshopError, WorkshopErrorCode
from courses.workshops.models import (
    ACTIVE_REGISTRATION,
    Registration,
    RegistrationEvent,
    SessionPart,
    Workshop,
    WorkshopEmail,
    WorkshopSession,
)
from courses.workshops.selectors import registration_can_approve
from courses.xapi.services.events import xapi_registration_event_record
from lms.errors import Forbidden
from lms.models import User
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

MAX_PARTS = 20
SESSION_FIELDS = {"title", "timezone", "venue", "online_url", "capacity", "waitlist_enabled", "registration_opens_at",
                  "registration_closes_at", "cancellation_cutoff_hours", "status"}


# --- authoring -------------------------------------------------------------------------------

def workshop_create(
    *, activity: Activity, description: str = "", instructors: Iterable[User] = (), requires_approval: bool = False,
) -> Workshop:
    if activity.kind != Activity.Kind.WORKSHOP:
        raise WorkshopError("Only an activity of kind 'workshop' can hold a workshop.",
                            code=WorkshopErrorCode.NOT_A_WORKSHOP)
    with transaction.atomic():
        if Workshop.objects.filter(activity=activity).exists():
            raise WorkshopConflict("This activity already has a workshop.", code=WorkshopErrorCode.WORKSHOP_EXISTS)
        workshop = Workshop.objects.create(activity=activity, description=description,
                                           requires_approval=requires_approval)
        workshop.instructors.set(list(instructors))
    return workshop


def _aware(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise WorkshopError("Times need a date, a time and a UTC offset.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={name: ["An aware date-time, e.g. 2027-03-20T10:00:00Z."]})
    return value


def _clean_parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not parts:
        raise WorkshopError("A session needs at least one part.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"parts": ["At least one part, with a start and an end."]})
    if len(parts) > MAX_PARTS:
        raise WorkshopError(f"A session has at most {MAX_PARTS} parts.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"parts": [f"At most {MAX_PARTS}."]})
    cleaned: list[dict[str, Any]] = []
    for index, part in enumerate(parts):
        starts_at = _aware(part.get("starts_at"), f"parts[{index}].starts_at")
        ends_at = _aware(part.get("ends_at"), f"parts[{index}].ends_at")
        if ends_at <= starts_at:
            raise WorkshopError("A session part must end after it starts.", code=WorkshopErrorCode.INVALID_SESSION,
                                fields={f"parts[{index}].ends_at": ["Must be after the start."]})
        cleaned.append({"id": part.get("id"), "starts_at": starts_at, "ends_at": ends_at,
                        "required": bool(part.get("required", True))})
    cleaned.sort(key=lambda p: p["starts_at"])
    for earlier, later in itertools.pairwise(cleaned):
        if later["starts_at"] < earlier["ends_at"]:
            raise WorkshopError("The parts of a session must not overlap.", code=WorkshopErrorCode.INVALID_SESSION,
                                fields={"parts": ["Parts overlap."]})
    return cleaned


def _clean_session_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise WorkshopError(f"Unknown session field(s): {', '.join(sorted(unknown))}.",
                            code=WorkshopErrorCode.INVALID_SESSION)
    if "timezone" in fields and fields["timezone"] not in zoneinfo.available_timezones():
        raise WorkshopError(f"'{fields['timezone']}' is not an IANA time zone name.",
                            code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"timezone": ["An IANA name such as Europe/Lisbon."]})
    if "capacity" in fields and (not isinstance(fields["capacity"], int) or fields["capacity"] < 1):
        raise WorkshopError("Capacity is at least 1.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"capacity": ["At least 1."]})
    if "cancellation_cutoff_hours" in fields and int(fields["cancellation_cutoff_hours"]) < 0:
        raise WorkshopError("The cancellation cut-off cannot be negative.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"cancellation_cutoff_hours": ["0 or more."]})
    if "status" in fields and fields["status"] not in (WorkshopSession.Status.SCHEDULED,
                                                       WorkshopSession.Status.COMPLETED):
        raise WorkshopError("Use the cancel action to cancel a session.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"status": ["scheduled or completed."]})
    for name in ("registration_opens_at", "registration_closes_at"):
        if fields.get(name) is not None:
            _aware(fields[name], name)
    return fields


def _check_window(session: WorkshopSession) -> None:
    opens, closes = session.registration_opens_at, session.registration_closes_at
    if opens and closes and closes <= opens:
        raise WorkshopError("Registration must close after it opens.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"registration_closes_at": ["Must be after registration_opens_at."]})


def _save_parts(session: WorkshopSession, parts: list[dict[str, Any]]) -> None:
    """Replace the session's parts, keeping the rows (and so the calendar UIDs) of those given by id."""
    existing = {part.pk: part for part in session.parts.all()}
    keep = set()
    for spec in parts:
        part = existing.get(spec["id"]) if spec["id"] else None
        if spec["id"] and part is None:
            raise WorkshopError("That part is not in this session.", code=WorkshopErrorCode.INVALID_SESSION,
                                fields={"parts": [f"Unknown part id {spec['id']}."]})
        if part is None:
            part = SessionPart(session=session)
        part.starts_at, part.ends_at, part.required = spec["starts_at"], spec["ends_at"], spec["required"]
        part.save()
        keep.add(part.pk)
    session.parts.exclude(pk__in=keep).delete()
    session.starts_at = parts[0]["starts_at"]
    session.ends_at = max(p["ends_at"] for p in parts)


def session_create(
    *, workshop: Workshop, parts: list[dict[str, Any]], capacity: int, instructors: Iterable[User] | None = None,
    **fields: Any,
) -> WorkshopSession:
    """A scheduled session. ``parts`` are dicts of starts_at, ends_at (aware) and required (default True);
    ``instructors`` default to the workshop's."""
    fields = _clean_session_fields({**fields, "capacity": capacity})
    cleaned = _clean_parts(parts)
    with transaction.atomic():
        session = WorkshopSession(workshop=workshop, **fields)
        _check_window(session)
        session.save()
        _save_parts(session, cleaned)
        session.save(update_fields=["starts_at", "ends_at"])
        session.instructors.set(list(instructors) if instructors is not None else list(workshop.instructors.all()))
    return session


def _lock(session: WorkshopSession) -> WorkshopSession:
    return WorkshopSession.objects.select_for_update().get(pk=session.pk)


def _booked_count(session: WorkshopSession) -> int:
    return Registration.objects.filter(session=session, status=Registration.Status.BOOKED).count()


def session_update(
    *, session: WorkshopSession, actor: User | None = None, parts: list[dict[str, Any]] | None = None,
    instructors: Iterable[User] | None = None, **fields: Any,
) -> WorkshopSession:
    """Change a session. Its calendar SEQUENCE rises; a larger capacity promotes from the waitlist.
    A capacity below the seats already booked is refused and nothing changes. When the time, zone
    or place changes, every booked learner is sent the updated invitation (``rescheduled``)."""
    fields = _clean_session_fields(fields)
    cleaned = _clean_parts(parts) if parts is not None else None
    with transaction.atomic():
        session = _lock(session)
        if session.status == WorkshopSession.Status.CANCELLED:
            raise WorkshopConflict("A cancelled session cannot be changed.", code=WorkshopErrorCode.SESSION_CANCELLED)
        booked = _booked_count(session)
        if fields.get("capacity") is not None and fields["capacity"] < booked:
            raise WorkshopConflict(
                f"{booked} seats are booked; the capacity cannot go below that.",
                code=WorkshopErrorCode.CAPACITY_BELOW_BOOKINGS,
                fields={"capacity": [f"At least {booked}."]})
        before = _calendar_facts(session)
        for name, value in fields.items():
            setattr(session, name, value)
        _check_window(session)
        if cleaned is not None:
            _save_parts(session, cleaned)
        session.sequence += 1
        session.save()
        if instructors is not None:
            session.instructors.set(list(instructors))
        if _calendar_facts(session) != before:
            _queue_rescheduled(session)
        _promote(session, actor=actor)
    return session


def _calendar_facts(session: WorkshopSession) -> tuple:
    """What a learner's calendar shows of when and where: each part's times, the zone, the place."""
    parts = tuple(session.parts.order_by("pk").values_list("pk", "starts_at", "ends_at"))
    return parts, session.timezone, session.venue, session.online_url


def _queue_rescheduled(session: WorkshopSession) -> None:
    """Every booked learner gets the moved session as an updated invitation (same UIDs, the new
    SEQUENCE); waitlisted and pending learners have nothing in their calendar to update."""
    for registration in Registration.objects.filter(session=session, status=Registration.Status.BOOKED
                                                    ).select_related("user"):
        _queue_email(registration, session, WorkshopEmail.Kind.RESCHEDULED)


def session_cancel(*, session: WorkshopSession, actor: User | None = None, reason: str = "") -> WorkshopSession:
    """Cancel a session: every active registration is cancelled and booked learners get a CANCEL."""
    with transaction.atomic():
        session = _lock(session)
        if session.status == WorkshopSession.Status.CANCELLED:
            return session
        session.status = WorkshopSession.Status.CANCELLED
        session.sequence += 1
        session.save(update_fields=["status", "sequence", "updated_at"])
        for registration in Registration.objects.filter(session=session, status__in=ACTIVE_REGISTRATION):
            was_booked = registration.status == Registration.Status.BOOKED
            _move(registration, Registration.Status.CANCELLED, RegistrationEvent.Kind.SESSION_CANCELLED, actor,
                  {"reason": reason[:500]})
            if was_booked:
                _queue_email(registration, session, WorkshopEmail.Kind.SESSION_CANCELLED)
    return session


# --- registration ----------------------------------------------------------------------------

def _move(registration: Registration, status: str, kind: str, actor: User | None, detail: dict | None = None) -> None:
    previous = registration.status
    registration.status = status
    registration.sequence += 1
    registration.save(update_fields=["status", "sequence", "ticket", "registered_at", "updated_at"])
    xapi_registration_event_record(event=RegistrationEvent.objects.create(
        registration=registration, kind=kind, actor=actor, detail={"from": previous, "to": status, **(detail or {})}))


def _queue_email(registration: Registration, session: WorkshopSession, kind: str) -> None:
    method = "CANCEL" if kind in (WorkshopEmail.Kind.CANCELLED, WorkshopEmail.Kind.SESSION_CANCELLED) else "REQUEST"
    key = f"registration-{registration.pk}-{registration.sequence}-{kind}"
    if kind == WorkshopEmail.Kind.RESCHEDULED:  # the learner's place is unchanged; the session's revision is new
        key += f"-{session.sequence}"
    email = WorkshopEmail.objects.create(
        key=key, registration=registration, kind=kind,
        method=method, sequence=session.sequence + registration.sequence, to=registration.user.email,
    )
    email_id = email.pk
    transaction.on_commit(lambda: workshop_email_enqueue(email_id))


def workshop_email_enqueue(email_id: int) -> None:
    """Nudge a worker; with the broker down the reconciler sends it later."""
    try:
        task_enqueue("courses.workshop_email_send", args=[email_id], retry=False)
    except Exception:
        logger.exception("could not enqueue workshop email %s; the reconciler will", email_id)


def _promote(session: WorkshopSession, *, actor: User | None) -> list[Registration]:
    """Fill free seats from the waitlist in arrival order (the session row is locked by the caller)."""
    if session.status != WorkshopSession.Status.SCHEDULED:
        return []
    if session.starts_at and session.starts_at <= timezone.now():
        return []
    free = session.capacity - _booked_count(session)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(session=session, status=Registration.Status.WAITLISTED)
        .select_related("user").order_by("ticket", "id")[:free]
    )
    for registration in promoted:
        _move(registration, Registration.Status.BOOKED, RegistrationEvent.Kind.PROMOTED, actor,
              {"ticket": registration.ticket})
        _queue_email(registration, session, WorkshopEmail.Kind.PROMOTED)
    return promoted


def _check_open(session: WorkshopSession, now: datetime) -> None:
    if session.status == WorkshopSession.Status.CANCELLED:
        raise WorkshopConflict("This session has been cancelled.", code=WorkshopErrorCode.SESSION_CANCELLED)
    if session.status == WorkshopSession.Status.COMPLETED or session.starts_at is None or session.starts_at <= now:
        raise WorkshopConflict("This session has already started or taken place.",
                               code=WorkshopErrorCode.SESSION_STARTED)
    if session.registration_opens_at and now < session.registration_opens_at:
        raise WorkshopConflict("Registration for this session is not open yet.",
                               code=WorkshopErrorCode.REGISTRATION_NOT_OPEN)
    if session.registration_closes_at and now >= session.registration_closes_at:
        raise WorkshopConflict("Registration for this session has closed.", code=WorkshopErrorCode.REGISTRATION_CLOSED)


def registration_refusal(*, session: WorkshopSession, now: datetime | None = None) -> WorkshopConflict | None:
    """Why registering for the session would be refused now (the same check registering makes), or None:
    lets a page say so before anyone presses a button."""
    try:
        _check_open(session, now or timezone.now())
    except WorkshopConflict as error:
        return error
    return None


def _check_no_overlap(session: WorkshopSession, user: User) -> None:
    parts = list(session.parts.all())
    overlap = Q(pk__in=[])
    for part in parts:
        overlap |= Q(starts_at__lt=part.ends_at, ends_at__gt=part.starts_at)
    clash = (
        SessionPart.objects.filter(overlap)
        .filter(session__registrations__user=user, session__registrations__status__in=ACTIVE_REGISTRATION,
                session__status=WorkshopSession.Status.SCHEDULED)
        .exclude(session=session).select_related("session__workshop__activity").first()
    )
    if clash is not None:
        raise WorkshopConflict(
            f"You already have a place in \"{clash.session.display_title}\" at an overlapping time.",
            code=WorkshopErrorCode.OVERLAPPING_SESSION, fields={"session": [str(clash.session_id)]})


def registration_create(*, session: WorkshopSession, user: User, actor: User | None = None
                        ) -> tuple[Registration, bool]:
    """Register ``user``: booked if a seat is free, waitlisted if full (and the waitlist is on), or waiting
    for approval if the workshop asks for it. Registering again while holding a place returns it unchanged."""
    actor = actor or user
    with transaction.atomic():
        session = _lock(session)
        workshop = Workshop.objects.select_related("activity").get(pk=session.workshop_id)
        existing = Registration.objects.filter(session=session, user=user).first()
        if existing is not None and existing.status in ACTIVE_REGISTRATION:
            return existing, False
        now = timezone.now()
        _check_open(session, now)
        enrollment = Enrollment.objects.filter(
            user=user, course_id=workshop.activity.course_id,
            status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED]).first()
        if enrollment is None:
            raise WorkshopConflict("Enroll in the course before registering for its workshop.",
                                   code=WorkshopErrorCode.NOT_ENROLLED)
        _check_no_overlap(session, user)
        if workshop.requires_approval:
            status, kind = Registration.Status.PENDING_APPROVAL, RegistrationEvent.Kind.REQUESTED
        elif _booked_count(session) < session.capacity:
            status, kind = Registration.Status.BOOKED, RegistrationEvent.Kind.BOOKED
        elif session.waitlist_enabled:
            status, kind = Registration.Status.WAITLISTED, RegistrationEvent.Kind.WAITLISTED
        else:
            raise WorkshopConflict("This session is full and has no waitlist.", code=WorkshopErrorCode.SESSION_FULL)
        ticket = session.next_ticket
        session.next_ticket += 1
        session.save(update_fields=["next_ticket"])
        registration = existing or Registration(session=session, user=user, status=status, sequence=1)
        registration.enrollment = enrollment
        registration.ticket = ticket
        registration.registered_at = now
        if existing is None:
            registration.save()
            xapi_registration_event_record(event=RegistrationEvent.objects.create(
                registration=registration, kind=kind, actor=actor, detail={"to": status, "ticket": ticket}))
        else:
            registration.save(update_fields=["enrollment", "ticket", "registered_at"])
            _move(registration, status, kind, actor, {"ticket": ticket})
        if status == Registration.Status.BOOKED:
            _queue_email(registration, session, WorkshopEmail.Kind.BOOKED)
    return registration, True


def registration_cancel(*, registration: Registration, actor: User | None) -> Registration:
    """The learner gives up their place (a booked seat only until the cut-off); the waitlist moves up."""
    with transaction.atomic():
        session = _lock(registration.session)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status not in ACTIVE_REGISTRATION:
            raise WorkshopConflict(f"This registration is already {registration.status}.",
                                   code=WorkshopErrorCode.NOT_REGISTERED)
        now = timezone.now()
        if session.starts_at and session.starts_at <= now:
            raise WorkshopConflict("The session has started; it can no longer be cancelled.",
                                   code=WorkshopErrorCode.CANCELLATION_CLOSED)
        was_booked = registration.status == Registration.Status.BOOKED
        if was_booked:
            assert session.starts_at is not None  # a seat is booked only in a scheduled session (_check_open)
            if session.starts_at - timedelta(hours=session.cancellation_cutoff_hours) <= now:
                raise WorkshopConflict(
                    f"Booked places can be cancelled until {session.cancellation_cutoff_hours} hours before the "
                    "start.", code=WorkshopErrorCode.CANCELLATION_CLOSED)
        _move(registration, Registration.Status.CANCELLED, RegistrationEvent.Kind.CANCELLED, actor)
        if was_booked:
            _queue_email(registration, session, WorkshopEmail.Kind.CANCELLED)
            _promote(session, actor=actor)
    return registration


def registration_decide(*, registration: Registration, actor: User, approve: bool, reason: str = "") -> Registration:
    """Approve (booked, or waitlisted if full) or decline a registration waiting for approval."""
    if not registration_can_approve(actor=actor, registration=registration):
        raise Forbidden("Only the learner's manager or the workshop's staff may decide.",
                        code=WorkshopErrorCode.NOT_APPROVER)
    with transaction.atomic():
        session = _lock(registration.session)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING_APPROVAL:
            raise WorkshopConflict("This registration is not waiting for approval.", code=WorkshopErrorCode.NOT_PENDING)
        if not approve:
            _move(registration, Registration.Status.DECLINED, RegistrationEvent.Kind.DECLINED, actor,
                  {"reason": reason[:500]})
            return registration
        _check_open(session, timezone.now())
        if _booked_count(session) < session.capacity:
            _move(registration, Registration.Status.BOOKED, RegistrationEvent.Kind.APPROVED, actor)
            _queue_email(registration, session, WorkshopEmail.Kind.BOOKED)
        elif session.waitlist_enabled:
            _move(registration, Registration.Status.WAITLISTED, RegistrationEvent.Kind.APPROVED, actor)
        else:
            raise WorkshopConflict("This session is full and has no waitlist.", code=WorkshopErrorCode.SESSION_FULL)
    return registration
