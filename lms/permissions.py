"""Small permission classes, combined in views with ``&``, ``|`` and ``~``.

Every class here and in the domains' ``permissions.py`` derives from ``Permission``, so ``A & B``
refuses with the message and code of the one that said no (DRF's own ``&`` forgets them and answers
its generic "You do not have permission"). The rules themselves are selectors; a class only asks one.
"""
from __future__ import annotations

from rest_framework.permissions import AND, SAFE_METHODS, BasePermission, BasePermissionMetaclass, OperandHolder

from lms.models import ApiKeyScope
from lms.scoping import api_key_has_scope, organization_ids_for


class AllOf(AND):
    """``A & B`` that remembers why it refused: the refusing operand's ``message`` and ``code``."""

    message: str | None = None
    code: str | None = None

    def _refused_by(self, operand) -> bool:
        self.message, self.code = getattr(operand, "message", None), getattr(operand, "code", None)
        return False

    def has_permission(self, request, view) -> bool:
        for operand in (self.op1, self.op2):
            if not operand.has_permission(request, view):
                return self._refused_by(operand)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        for operand in (self.op1, self.op2):
            if not operand.has_object_permission(request, view, obj):
                return self._refused_by(operand)
        return True


class PermissionMetaclass(BasePermissionMetaclass):
    def __and__(cls, other):
        return OperandHolder(AllOf, cls, other)


class Permission(BasePermission, metaclass=PermissionMetaclass):
    """The base of the project's permission classes (see the module docstring)."""


def is_api_key(request) -> bool:
    return bool(getattr(request.user, "is_api_key", False))


class IsAuthenticatedReadOnlyForApiKeys(Permission):
    """The default: signed in, and organization API keys may only read."""

    message = "Organization API keys are read-only."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or not is_api_key(request)


class IsReadOnly(Permission):
    """A safe method (GET, HEAD, OPTIONS): combine as ``IsReadOnly | IsPerson``."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS


class IsPerson(Permission):
    """A signed-in person (not an API key)."""

    message = "This endpoint is for people, not API keys."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and not is_api_key(request))


class HasOrgRole(Permission):
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
            return self.allow_api_key and api_key_has_scope(user, ApiKeyScope.REPORTS_READ)

        return user.is_superuser or bool(organization_ids_for(user, *self.roles))
