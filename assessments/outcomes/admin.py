"""Imported customer-satisfaction scores in the back office: read-only, for superusers (rows change only by
importing again)."""
from __future__ import annotations

from django.contrib import admin

from assessments.outcomes.models import OutcomeScore


@admin.register(OutcomeScore)
class OutcomeScoreAdmin(admin.ModelAdmin):
    list_display = ["external_id", "organization", "membership", "metric", "period_start", "period_end", "score"]
    list_filter = ["metric", "organization"]
    search_fields = ["external_id", "membership__employee_id", "membership__user__email"]
    list_select_related = ["organization", "membership__user"]
    date_hierarchy = "period_end"

    # Agents' scores are HR data: superusers only; HR reads them at /hr/outcomes/scores/.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
