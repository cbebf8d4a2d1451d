"""Small permission classes, combined in views with ``&``, ``|`` and ``~``."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from lms.scoping import organization_ids_for


def is_api_key(request) -> bool:
    return bool(getattr(request.user, "is_api_key", False))


class IsAuthenticatedReadOnlyForApiKeys(BasePermission):
    """The default: signed in, and organization API keys may only read."""

    message = "Organization API keys are read-only."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or not is_api_key(request)


class IsReadOnly(BasePermission):
    """A safe method (GET, HEAD, OPTIONS): combine as ``IsReadOnly | IsPerson``."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS


class IsPerson(BasePermission):
    """A signed-in person (not an API key)."""

    message = "This endpoint is for people, not API keys."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and not is_api_key(request))


class HasOrgRole(BasePermission):
    """The caller holds one of ``roles`` in at least one organization.

    Use ``HasOrgRole.of("hr", "org_admin")``. Which objects they reach is the selectors' job.
    """

    roles: tuple[str, ...] = ()
    allow_api_key = False

    @classmethod
    def of(cls, *roles: str, allow_api_key: bool = False) -> type[HasOrgRole]:
        return type(f"HasOrgRole_{'_'.join(roles)}", (cls,), {"roles": roles, "allow_api_key": allow_api_key})

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if is_api_key(request):
            return self.allow_api_key

        return user.is_superuser or bool(organization_ids_for(user, *self.roles))
