"""Erasure's reads: requests in the caller's scope, and whether an address or employee id was erased."""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from lms.errors import NotFound
from lms.models import ErasureIdentifier, ErasureRequest, Membership, Organization, Role, User
from lms.scoping import organization_ids_for, person_id


def identifier_digest(value: str) -> str:
    """The salted hash an erasure keeps of one identifier (HMAC-SHA256, key PRIVACY_ERASURE_SALT)."""
    return hmac.new(settings.PRIVACY_ERASURE_SALT.encode(), value.encode(), hashlib.sha256).hexdigest()


def email_digest(email: str) -> str:
    return identifier_digest("email:" + (email or "").strip().lower())


def employee_id_digest(organization_id: int, employee_id: str) -> str:
    return identifier_digest(f"employee:{organization_id}:{(employee_id or '').strip()}")


def erasure_was_erased(*, email: str = "", organization_id: int | None = None, employee_id: str = "") -> bool:
    """Whether the address, or the employee id in that organization, belongs to someone erased at their request."""
    digests = []
    if email:
        digests.append((ErasureIdentifier.Kind.EMAIL, email_digest(email)))
    if employee_id and organization_id is not None:
        digests.append((ErasureIdentifier.Kind.EMPLOYEE_ID, employee_id_digest(organization_id, employee_id)))
    return any(ErasureIdentifier.objects.filter(kind=kind, digest=digest).exists() for kind, digest in digests)


def erasure_admin_organizations(*, actor: Any) -> set[int]:
    """Organizations where a signed-in person (never an API key) is an org admin."""
    if person_id(actor) is None:
        return set()
    return organization_ids_for(actor, Role.ORG_ADMIN)


def access_erasure_organization(*, actor: Any, slug: str) -> Organization:
    """The organization ``slug`` if the caller is one of its admins; 404 otherwise."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or organization.pk not in erasure_admin_organizations(actor=actor):
        raise NotFound("No such organization.")
    return organization


def access_erasure_member(*, actor: Any, slug: str, user_id: int) -> tuple[Organization, User]:
    """A member of an organization the caller administers (not the caller); 404 outside."""
    organization = access_erasure_organization(actor=actor, slug=slug)
    membership = (Membership.objects.filter(organization=organization, user_id=user_id).select_related("user")
                  .first())
    if membership is None or membership.user_id == person_id(actor):
        raise NotFound("No such member.")
    return organization, membership.user


def erasure_request_open(*, user: User) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, state__in=ErasureRequest.OPEN).first()


def erasure_requests_of_organization(*, organization: Organization) -> QuerySet[ErasureRequest]:
    """An organization's admins' requests, newest first."""
    return ErasureRequest.objects.filter(organization=organization).select_related("user")


def erasure_held_requests(*, organization_id: int) -> list[int]:
    """Ids of held requests of people in the organization (carried out when its hold is lifted)."""
    user_ids = Membership.objects.filter(organization_id=organization_id).values("user_id")
    return list(ErasureRequest.objects.filter(state=ErasureRequest.State.HELD, user_id__in=user_ids)
                .values_list("pk", flat=True))


def erasure_holding_organizations(*, user: User) -> list[Organization]:
    """The organizations under legal hold the person belongs to."""
    return list(Organization.objects.filter(legal_hold=True, memberships__user=user).distinct())


def erasure_can_administer(*, actor: Any) -> bool:
    """Whether the caller may use /org/privacy/ erasure: an org admin somewhere (people only)."""
    return bool(erasure_admin_organizations(actor=actor))


def erasure_organizations_administered(*, actor: Any) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=erasure_admin_organizations(actor=actor)).order_by("name", "id"))


def erasure_members(*, organization: Organization, actor: Any) -> list[Membership]:
    """The organization's members an admin may ask to erase (everyone but the admin), by name, then address."""
    return list(Membership.objects.filter(organization=organization).exclude(user_id=person_id(actor) or 0)
                .select_related("user").order_by("user__last_name", "user__first_name", "user__email", "id"))
