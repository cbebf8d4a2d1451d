"""The staff's hand on a session's waitlist: give a waitlisted learner a seat now, decline them, or move them to
another session of the same workshop. Every step locks the session rows (in id order) first, as the rest of
registration does, and mails the learner when a seat becomes theirs."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from courses.workshops.errors import WorkshopConflict, WorkshopError, WorkshopErrorCode
from courses.workshops.models import Registration, RegistrationEvent, WorkshopEmail, WorkshopSession
from courses.workshops.services.sessions import _booked_count, _check_open, _move, _queue_email
from lms.models import User

WAITING = (Registration.Status.WAITLISTED, Registration.Status.PENDING_APPROVAL)


def _locked_waiting(registration: Registration) -> tuple[WorkshopSession, Registration]:
    session = WorkshopSession.objects.select_for_update().get(pk=registration.session_id)
    registration = Registration.objects.select_related("user").get(pk=registration.pk)
    if registration.status not in WAITING:
        raise WorkshopConflict("This learner is not on the waitlist any more.", code=WorkshopErrorCode.NOT_WAITLISTED)
    return session, registration


def registration_waitlist_approve(*, registration: Registration, actor: User) -> Registration:
    """Book a waitlisted (or approval-awaiting) learner now, if a seat is free; a full session is a conflict
    (raise the capacity first)."""
    with transaction.atomic():
        session, registration = _locked_waiting(registration)
        _check_open(session, timezone.now())
        if _booked_count(session) >= session.capacity:
            raise WorkshopConflict("Every seat is booked; raise the capacity to let this learner in.",
                                   code=WorkshopErrorCode.SESSION_FULL)
        _move(registration, Registration.Status.BOOKED, RegistrationEvent.Kind.APPROVED, actor)
        _queue_email(registration, session, WorkshopEmail.Kind.BOOKED)
    return registration


def registration_waitlist_decline(*, registration: Registration, actor: User, reason: str = "") -> Registration:
    """Take a waiting learner off the waitlist (declined, with the reason kept in the history)."""
    with transaction.atomic():
        _session, registration = _locked_waiting(registration)
        _move(registration, Registration.Status.DECLINED, RegistrationEvent.Kind.DECLINED, actor,
              {"reason": reason[:500]})
    return registration


def registration_move(*, registration: Registration, to_session: WorkshopSession, actor: User) -> Registration:
    """Move a waiting learner to another session of the same workshop: booked there if a seat is free, else at the
    end of its waitlist. The old place is cancelled. Returns the registration in the new session."""
    if to_session.workshop_id != registration.session.workshop_id or to_session.pk == registration.session_id:
        raise WorkshopError("Move to another session of the same workshop.", code=WorkshopErrorCode.INVALID_SESSION,
                            fields={"to_session": ["Another session of this workshop."]})
    with transaction.atomic():
        locked = {s.pk: s for s in WorkshopSession.objects.select_for_update()
                  .filter(pk__in=[registration.session_id, to_session.pk]).order_by("pk")}
        target = locked[to_session.pk]
        _source, registration = _locked_waiting(registration)
        now = timezone.now()
        _check_open(target, now)
        if _booked_count(target) < target.capacity:
            status, kind = Registration.Status.BOOKED, RegistrationEvent.Kind.BOOKED
        elif target.waitlist_enabled:
            status, kind = Registration.Status.WAITLISTED, RegistrationEvent.Kind.WAITLISTED
        else:
            raise WorkshopConflict("That session is full and has no waitlist.", code=WorkshopErrorCode.SESSION_FULL)
        _move(registration, Registration.Status.CANCELLED, RegistrationEvent.Kind.CANCELLED, actor,
              {"moved_to": target.pk})
        ticket = target.next_ticket
        target.next_ticket += 1
        target.save(update_fields=["next_ticket"])
        moved = (Registration.objects.filter(session=target, user_id=registration.user_id).select_related("user")
                 .first())
        if moved is not None and moved.status not in (Registration.Status.CANCELLED, Registration.Status.DECLINED):
            raise WorkshopConflict("This learner already has a place in that session.",
                                   code=WorkshopErrorCode.WORKSHOP_CONFLICT)
        if moved is None:
            moved = Registration.objects.create(session=target, user_id=registration.user_id, status=status,
                                                enrollment_id=registration.enrollment_id, ticket=ticket,
                                                registered_at=now, sequence=0)
        moved.enrollment_id, moved.ticket, moved.registered_at = registration.enrollment_id, ticket, now
        _move(moved, status, kind, actor, {"ticket": ticket, "moved_from": registration.session_id})
        if status == Registration.Status.BOOKED:
            _queue_email(moved, target, WorkshopEmail.Kind.BOOKED)
    return moved
