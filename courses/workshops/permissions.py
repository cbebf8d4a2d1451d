"""Who may do what with workshops, as DRF permission classes composed in views with ``&``, ``|`` and ``~``.

The rules themselves are selectors (``session_can_manage``, ``session_is_instructor``,
``registration_can_approve``); these classes only ask them. Object checks run when a view calls
``check_object_permissions``; views that fetch and check in one go use the ``access_*`` selectors.
"""
from __future__ import annotations

from rest_framework.permissions import BasePermission

from courses.workshops import selectors
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.models import Registration, WorkshopSession


class CanManageSession(BasePermission):
    """The session's instructors and the course's managers."""

    message = "Only the session's instructors and the course's managers manage this session."

    def has_object_permission(self, request, view, obj) -> bool:
        return isinstance(obj, WorkshopSession) and selectors.session_can_manage(actor=request.user, session=obj)


class IsSessionInstructor(BasePermission):
    """One of the session's instructors: they take attendance."""

    message = "Only the session's instructors take attendance."
    code = WorkshopErrorCode.NOT_SESSION_INSTRUCTOR

    def has_object_permission(self, request, view, obj) -> bool:
        return isinstance(obj, WorkshopSession) and selectors.session_is_instructor(actor=request.user, session=obj)


class CanApproveRegistration(BasePermission):
    """The learner's manager, the session's instructors and the course's managers."""

    message = "Only the learner's manager or the workshop's staff may decide."
    code = WorkshopErrorCode.NOT_APPROVER

    def has_object_permission(self, request, view, obj) -> bool:
        return isinstance(obj, Registration) and selectors.registration_can_approve(
            actor=request.user, registration=obj)


class IsOwnRegistration(BasePermission):
    """The registration is the caller's own."""

    def has_object_permission(self, request, view, obj) -> bool:
        return isinstance(obj, Registration) and obj.user_id == getattr(request.user, "pk", None)
