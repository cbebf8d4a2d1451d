"""Reads for people and credentials, every one scoped through lms.scoping."""
from __future__ import annotations

import hashlib
import re
from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from lms.error_codes import PlatformErrorCode
from lms.errors import Forbidden, NotFound
from lms.models import (
    ApiKeyScope,
    Department,
    HealthProbe,
    Membership,
    Organization,
    OrganizationAPIKey,
    Role,
    User,
    UserToken,
)
from lms.scoping import api_key_has_scope, is_unrestricted, organization_ids_for, scope_to_organizations

# Who may read an organization's people, and who may change them.
PEOPLE_READERS = (Role.ORG_ADMIN, Role.HR)
PEOPLE_WRITERS = (Role.ORG_ADMIN,)
LOGO_FOLDER = "organizations/logos/"
LOGO_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_token_from_raw(*, raw: str) -> UserToken | None:
    return UserToken.objects.select_related("user").filter(digest=token_digest(raw)).first()


def api_key_from_raw(*, raw: str) -> OrganizationAPIKey | None:
    """A usable (not revoked, not expired) key matching ``raw``, or None."""
    try:
        # the library's manager is not generic: it returns the base class, but queries this model
        key = cast(OrganizationAPIKey, OrganizationAPIKey.objects.get_from_key(raw))
    except OrganizationAPIKey.DoesNotExist:
        return None
    return None if key.has_expired else key


def user_tokens_of(*, user: User) -> QuerySet[UserToken]:
    return UserToken.objects.filter(user=user)


def organizations_visible_to(*, actor: Any, roles: tuple[str, ...] = ()) -> QuerySet[Organization]:
    return scope_to_organizations(Organization.objects.all(), actor, roles, field="id")


def organization_get(*, actor: Any, slug: str, roles: tuple[str, ...] = ()) -> Organization:
    """The organization with ``slug`` if the actor holds one of ``roles`` in it; else 404."""

    return get_object_or_404(organizations_visible_to(actor=actor, roles=roles), slug=slug)


def organization_from_slug(*, slug: str, actor: Any = None, roles: tuple[str, ...] | None = None) -> Organization:
    """The organization named by ``slug`` in a request body, for every view that takes one.

    With ``roles``, only among the organizations where ``actor`` holds one of them (superusers: any).
    Raises ``NotFound`` (``organization_not_found``) otherwise.
    """

    queryset = Organization.objects.all()
    if roles is not None:
        queryset = organizations_visible_to(actor=actor, roles=roles)
    organization = queryset.filter(slug=slug).first()
    if organization is None:
        raise NotFound("No such organization.", code=PlatformErrorCode.ORGANIZATION_NOT_FOUND)
    return organization


def none_of(model: Any) -> QuerySet:
    """An empty queryset of ``model``: what a list view declares as ``queryset`` (schema, filters); no query."""
    return model._default_manager.none()


def departments_of(*, organization: Organization) -> QuerySet[Department]:
    return organization.departments.all()


def memberships_of(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user", "department", "manager__user", "organization")
        .order_by("id")
    )


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's own memberships, for /me/."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization", "department", "manager__user")
        .order_by("organization__name", "id")
    )


def user_with_memberships(*, user: User) -> User:
    return (
        User.objects.prefetch_related(Prefetch("memberships", queryset=memberships_of_user(user=user)))
        .get(pk=user.pk)
    )


def api_keys_of(*, organization: Organization) -> QuerySet[OrganizationAPIKey]:
    return OrganizationAPIKey.objects.filter(organization=organization).order_by("-created")


def api_key_get(*, organization: Organization, prefix: str) -> OrganizationAPIKey:
    """One of the organization's keys; another organization's (or no) key is NotFound."""
    key = api_keys_of(organization=organization).filter(prefix=prefix).first()
    if key is None:
        raise NotFound("No such API key.")
    return cast(OrganizationAPIKey, key)


def access_organization_people(*, actor: Any, slug: str, write: bool) -> Organization:
    """The organization, for its people: readers (HR, org admins, the org's API key) read; only org admins write.

    An organization the caller cannot read is a 404; a reader who may not write gets a 403, as an API key
    does: the organization is no secret to them.
    """

    if not write and api_key_has_scope(actor, ApiKeyScope.PEOPLE_READ):
        # people:read opens the key's own organization's people (and nothing of its reports).
        return get_object_or_404(Organization.objects.filter(pk=actor.organization_id), slug=slug)
    organization = organization_get(actor=actor, slug=slug, roles=PEOPLE_READERS)
    if write and not (is_unrestricted(actor) or organization.id in organization_ids_for(actor, *PEOPLE_WRITERS)):
        raise Forbidden("Only the organization's admins may change its people.")
    return organization


def access_organization_branding(*, actor: Any, slug: str, write: bool) -> Organization:
    """The organization, for its logo and certificate signature: its HR and org admins read, org admins write."""
    organization = organization_get(actor=actor, slug=slug, roles=PEOPLE_READERS)
    if write and not (is_unrestricted(actor) or organization.id in organization_ids_for(actor, *PEOPLE_WRITERS)):
        raise Forbidden("Only the organization's admins may change its logo and certificate signature.")
    return organization


def organization_with_logo(*, token: str) -> Organization:
    """The organization whose logo's file is named by ``token`` (a random part of its name); 404 otherwise."""
    if not LOGO_TOKEN.match(token):
        raise Http404
    return get_object_or_404(Organization, logo=f"{LOGO_FOLDER}{token}.png")


def department_get(*, organization: Organization, department_id: int) -> Department:
    return get_object_or_404(departments_of(organization=organization), pk=department_id)


def membership_get(*, organization: Organization, membership_id: int) -> Membership:
    return get_object_or_404(memberships_of(organization=organization), pk=membership_id)


def users_for_password_reset(*, email: str) -> QuerySet[User]:
    """Active accounts with this address (with or without a usable password)."""
    return User.objects.filter(email__iexact=email, is_active=True)


def health_probe_answered(*, probe_id: int) -> bool:
    return HealthProbe.objects.filter(pk=probe_id, answered_at__isnull=False).exists()
