"""Erasure: a person (or an org admin for a member) asks, confirms, and a task erases them for good.

The person confirms with their password; an admin confirms with a second, explicit request. A person in an
organization under legal hold has the request recorded but held, and carried out when the last hold on them
is lifted. Carrying it out (``erasure_run``, the ``lms.privacy_erase`` task) is one transaction: the record
of what is kept (hashes only), the registry's declarations (lms/privacy/erasure.py), every registered
erasure step, then the account closed; stored files go once it commits. Running it again changes nothing.
"""
from __future__ import annotations

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lms import lockout
from lms.errors import ApplicationError, Conflict
from lms.models import (
    ErasureIdentifier,
    ErasureRecord,
    ErasureRequest,
    Membership,
    Organization,
    User,
    UserToken,
)
from lms.privacy.erasure import Erasure, erase_declared
from lms.privacy.erasure_errors import ErasureErrorCode
from lms.privacy.registry import erasure_steps
from lms.privacy.selectors.erasure import (
    email_digest,
    employee_id_digest,
    erasure_held_requests,
    erasure_holding_organizations,
    erasure_request_open,
)
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

TASK = "lms.privacy_erase"


def _open_request(*, user: User, role: str, requested_by: User | None,
                  organization: Organization | None) -> ErasureRequest:
    existing = erasure_request_open(user=user)
    if existing is not None:
        if existing.state == ErasureRequest.State.AWAITING_CONFIRMATION and existing.role == role:
            return existing
        raise Conflict("An erasure of this person is already under way.", code=ErasureErrorCode.ERASURE_PENDING)
    return ErasureRequest.objects.create(user=user, role=role, requested_by=requested_by, organization=organization)


def erasure_request_self(*, user: User) -> ErasureRequest:
    """The person asks to be erased; nothing happens until they confirm with their password."""
    with transaction.atomic():
        return _open_request(user=user, role=ErasureRequest.Role.SELF, requested_by=user, organization=None)


def erasure_request_by_admin(*, actor: User, organization: Organization, user: User) -> ErasureRequest:
    """An org admin asks to erase a member (the caller checked both); a second request confirms it."""
    with transaction.atomic():
        return _open_request(user=user, role=ErasureRequest.Role.ORG_ADMIN, requested_by=actor,
                             organization=organization)


def _awaiting(user: User) -> ErasureRequest:
    request = (ErasureRequest.objects.select_for_update()
               .filter(user=user, state=ErasureRequest.State.AWAITING_CONFIRMATION).first())
    if request is None:
        raise Conflict("There is no erasure request to confirm.", code=ErasureErrorCode.ERASURE_NOT_AWAITING)
    return request


def _confirm(request: ErasureRequest) -> ErasureRequest:
    request.confirmed_at = timezone.now()
    if erasure_holding_organizations(user=request.user):
        request.state, request.held_at = ErasureRequest.State.HELD, timezone.now()
    else:
        request.state = ErasureRequest.State.CONFIRMED
        request_id = request.pk
        transaction.on_commit(lambda: task_enqueue(TASK, args=[request_id]))
    request.save(update_fields=["state", "confirmed_at", "held_at"])
    return request


def erasure_confirm_self(*, user: User, password: str) -> ErasureRequest:
    """Confirm the person's own request by their password. Held under a legal hold, else queued."""
    if not password or not user.check_password(password):
        raise ApplicationError("The password is not right.", code=ErasureErrorCode.ERASURE_WRONG_PASSWORD,
                               fields={"password": ["The password is not right."]})
    with transaction.atomic():
        request = _awaiting(user)
        if request.role != ErasureRequest.Role.SELF:
            raise Conflict("There is no erasure request of yours to confirm.",
                           code=ErasureErrorCode.ERASURE_NOT_AWAITING)
        return _confirm(request)


def erasure_confirm_by_admin(*, actor: User, organization: Organization, user: User) -> ErasureRequest:
    """The admin's second, explicit request: held under a legal hold, else queued."""
    with transaction.atomic():
        request = _awaiting(user)
        if request.role != ErasureRequest.Role.ORG_ADMIN or request.organization_id != organization.pk:
            raise Conflict("There is no erasure request of this organization to confirm.",
                           code=ErasureErrorCode.ERASURE_NOT_AWAITING)
        return _confirm(request)


def erasure_cancel(*, user: User) -> None:
    """Withdraw a request not yet carried out (awaiting confirmation or held)."""
    with transaction.atomic():
        ErasureRequest.objects.filter(user=user, state__in=[ErasureRequest.State.AWAITING_CONFIRMATION,
                                                            ErasureRequest.State.HELD]
                                      ).update(state=ErasureRequest.State.CANCELLED)


def legal_hold_set(*, organization: Organization, reason: str) -> Organization:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the organization is under legal hold.",
                               code=ErasureErrorCode.LEGAL_HOLD_REASON_REQUIRED,
                               fields={"reason": ["This field is required."]})
    with transaction.atomic():
        organization.legal_hold, organization.legal_hold_reason = True, reason[:500]
        organization.legal_hold_set_at = timezone.now()
        organization.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_at"])
    return organization


def legal_hold_lift(*, organization: Organization) -> int:
    """Lift the hold and carry out the held erasures of its members not held by another organization."""
    with transaction.atomic():
        organization.legal_hold, organization.legal_hold_reason, organization.legal_hold_set_at = False, "", None
        organization.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_at"])
        released_ids: list[int] = []
        for request in ErasureRequest.objects.select_for_update().filter(
                pk__in=erasure_held_requests(organization_id=organization.pk)).select_related("user"):
            if erasure_holding_organizations(user=request.user):
                continue
            request.state = ErasureRequest.State.CONFIRMED
            request.save(update_fields=["state"])
            released_ids.append(request.pk)
        transaction.on_commit(lambda: _enqueue_all(released_ids))
    return len(released_ids)


def _enqueue_all(request_ids: list[int]) -> None:
    for request_id in request_ids:
        task_enqueue(TASK, args=[request_id])


def _record(user: User, request: ErasureRequest) -> ErasureRecord:
    memberships = list(Membership.objects.filter(user=user).values_list("organization_id", "employee_id"))
    record = ErasureRecord.objects.create(
        requested_role=request.role,
        requested_by_id=request.requested_by_id if request.role == ErasureRequest.Role.ORG_ADMIN else None,
        organization_ids=sorted({org for org, _ in memberships}))
    identifiers = [ErasureIdentifier(record=record, kind=ErasureIdentifier.Kind.EMAIL, digest=email_digest(user.email))]
    identifiers += [ErasureIdentifier(record=record, kind=ErasureIdentifier.Kind.EMPLOYEE_ID,
                                      digest=employee_id_digest(org, employee_id))
                    for org, employee_id in memberships if employee_id]
    ErasureIdentifier.objects.bulk_create(identifiers)
    return record


def _admin_log_forget(user: User) -> None:
    """The admin's history keeps no entry about the person, nor one whose summary names them."""
    names = [value for value in (user.email, user.get_full_name().strip()) if value]
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    for value in names:
        about |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    LogEntry.objects.filter(about).delete()


def _close_account(user: User) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    UserToken.objects.filter(user=user).delete()
    ids = [s.pk for s in Session.objects.iterator() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    Session.objects.filter(pk__in=ids).delete()


def erasure_carry_out(*, user: User, request: ErasureRequest) -> Erasure:
    """Erase ``user`` now, in the caller's transaction: the record, the declarations, the steps, the account."""
    email = user.email
    record = _record(user, request)
    _admin_log_forget(user)
    erasure = erase_declared(user)
    user.refresh_from_db()
    for _name, step in erasure_steps():
        step(user, record)
    _close_account(user)
    transaction.on_commit(lambda: lockout.reset(email))
    return erasure


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("erasure: a stored file could not be deleted; the retention sweep will retry")


def erasure_run(*, request_id: int) -> bool:
    """Carry out a confirmed request (the task). False if there is nothing to do (done, held, cancelled)."""
    with transaction.atomic():
        request = (ErasureRequest.objects.select_for_update().select_related("user")
                   .filter(pk=request_id, state=ErasureRequest.State.CONFIRMED).first())
        if request is None:
            return False
        if erasure_holding_organizations(user=request.user):
            request.state, request.held_at = ErasureRequest.State.HELD, timezone.now()
            request.save(update_fields=["state", "held_at"])
            return False
        erasure = erasure_carry_out(user=request.user, request=request)
        request.state, request.done_at = ErasureRequest.State.DONE, timezone.now()
        request.save(update_fields=["state", "done_at"])
        files = list(erasure.files)
        transaction.on_commit(lambda: _delete_files(files))
    logger.info("erasure request %s carried out: %d rows deleted, %d scrubbed", request_id,
                sum(erasure.deleted.values()), sum(erasure.scrubbed.values()))
    return True
