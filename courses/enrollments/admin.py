"""The back office for enrollments and their progress rows, scoped to the staff member's courses."""
from __future__ import annotations

from django.contrib import admin, messages

from courses.enrollments import selectors, services
from courses.enrollments.models import ActivityProgress, Enrollment

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from lms.admin import AccessLoggedAdmin, ReadOnlyAdmin
from lms.errors import ApplicationError


@admin.register(Enrollment)
class EnrollmentAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    list_display = ["user", "course", "organization", "status", "progress_percent", "final_score", "enrolled_at",
                    "due_at", "completed_at"]
    list_filter = ["status", "course", "organization"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course", "organization"]
    readonly_fields = [f.name for f in Enrollment._meta.fields]
    actions = ["withdraw"]

    def get_queryset(self, request):
        return selectors.enrollments_visible_to(actor=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description="Withdraw the selected enrollments")
    def withdraw(self, request, queryset):
        for enrollment in queryset:
            try:
                services.enrollment_withdraw(enrollment=enrollment)
            except ApplicationError as exc:
                self.message_user(request, f"{enrollment}: {exc.message}", messages.ERROR)


@admin.register(ActivityProgress)
class ActivityProgressAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "activity", "status", "score", "attempts", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["enrollment__user", "enrollment__course", "activity"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            enrollment__in=selectors.enrollments_visible_to(actor=request.user).values("pk"))
