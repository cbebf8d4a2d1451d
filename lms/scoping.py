"""The one scoping helper every selector uses.

``organization_ids_for(actor, *roles)`` answers "in which organizations does this caller
hold one of these roles?"; ``scope_to_organizations`` filters a queryset to them. A caller is a
user or an organization API key (which acts as read-only HR of its one organization).
Superusers see every organization. Anything outside scope is simply absent, so views answer
404, never 403, and ids leak nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from lms.models import ROLE_FIELDS, ApiKeyScope, Membership, Role

_CACHE_ATTR = "_lms_roles_by_org"


def person_id(actor: Any) -> int | None:
    """The user id of a signed-in person; None for an organization API key or an anonymous visitor."""
    return None if getattr(actor, "is_api_key", False) else getattr(actor, "pk", None)


def api_key_has_scope(actor: Any, scope: str) -> bool:
    """Whether ``actor`` is an organization API key holding ``scope``."""
    return bool(getattr(actor, "is_api_key", False)) and actor.key.has_scope(scope)


def roles_by_organization(actor: Any) -> dict[int, frozenset[str]]:
    """{organization id: roles} for an active user's memberships, loaded once per actor object."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {}
    if getattr(actor, "is_api_key", False):
        # A key reads as its organization's HR only with the reports:read scope (keys made before scopes
        # existed have it); a provisioning-only key (scim:write) reads nothing here.
        if not api_key_has_scope(actor, ApiKeyScope.REPORTS_READ):
            return {}
        return {actor.organization_id: frozenset({Role.HR})}
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        rows = Membership.objects.filter(user_id=actor.pk, is_active=True).values(
            "organization_id", *ROLE_FIELDS.values()
        )
        cached = {
            row["organization_id"]: frozenset(role for role, field in ROLE_FIELDS.items() if row[field])
            for row in rows
        }
        setattr(actor, _CACHE_ATTR, cached)
    return cached


def forget_roles(actor: Any) -> None:
    """Drop the cached roles after a change to the actor's memberships."""
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def organization_ids_for(actor: Any, *roles: str) -> set[int]:
    """Organizations where the actor holds any of ``roles`` (any membership at all if none given)."""
    wanted = set(roles)
    return {
        org_id for org_id, held in roles_by_organization(actor).items() if not wanted or held & wanted
    }


def is_unrestricted(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False)) and not getattr(actor, "is_api_key", False)


def scope_to_organizations(
    queryset: QuerySet, actor: Any, roles: Iterable[str] = (), *, field: str = "organization"
) -> QuerySet:
    """Keep the rows whose ``field`` is an organization where the actor holds one of ``roles``."""
    if is_unrestricted(actor):
        return queryset
    return queryset.filter(**{f"{field}__in": organization_ids_for(actor, *roles)})
