"""Who may do what with workshops, as permission classes composed in views (``IsPerson & IsSessionInstructor``).

The rules themselves are selectors (``session_is_instructor``); a class only asks one. Object checks run
when a view calls ``check_object_permissions``. Where a refusal's wording depends on the action (change,
cancel, roster) or where someone else's object must look absent (404), views use the ``access_*``
selectors instead.
"""
from __future__ import annotations

from courses.workshops import selectors
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.models import WorkshopSession
from lms.permissions import Permission


class IsSessionInstructor(Permission):
    """One of the session's instructors: they take attendance."""

    message = "Only the session's instructors take attendance."
    code = WorkshopErrorCode.NOT_SESSION_INSTRUCTOR

    def has_object_permission(self, request, view, obj) -> bool:
        return isinstance(obj, WorkshopSession) and selectors.session_is_instructor(actor=request.user, session=obj)
