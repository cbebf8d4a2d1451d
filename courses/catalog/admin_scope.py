"""What the courses' admin screens share: the courses a staff member manages, and a ModelAdmin base that
scopes its rows to them."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet

from courses.catalog import selectors

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from lms.admin import PeoplePickerMixin
from lms.scoping import is_unrestricted, organization_ids_for


def managed_course_ids(request) -> QuerySet:
    """Ids of the courses the signed-in user manages (for admin querysets of any app)."""
    return selectors.courses_manageable_by(actor=request.user).values("pk")


def is_course_staff(request) -> bool:
    """May use the course back office: active staff who are instructors or org admins somewhere."""
    return request.user.is_active and request.user.is_staff and (
        request.user.is_superuser or bool(organization_ids_for(request.user, "instructor", "org_admin"))
    )


class CourseScopedAdmin(PeoplePickerMixin, admin.ModelAdmin):
    """Rows reach course staff only through ``course_field`` pointing at a course they manage; its people
    pickers list the members of that course's organization."""

    course_field = "course"

    def people_organization_id(self, obj) -> int | None:
        course = obj
        if self.course_field != "pk":
            for step in self.course_field.split("__"):
                course = getattr(course, step, None)
        return getattr(course, "organization_id", None)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_unrestricted(request.user):
            return queryset
        return queryset.filter(**{f"{self.course_field}__in": managed_course_ids(request)})

    def _is_course_staff(self, request) -> bool:
        return is_course_staff(request)

    def has_module_permission(self, request) -> bool:
        return self._is_course_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)


class CourseScopedInline:
    """For inlines on a course-scoped admin (modules on a course, the lesson on an activity, ...): Django asks an
    inline for its model's permissions, which course staff do not hold (their access is the course scope, not
    model permissions), so without this the inline vanished for everyone but superusers. The parent admin's
    queryset already limits the page to courses the person manages."""

    def has_view_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)
