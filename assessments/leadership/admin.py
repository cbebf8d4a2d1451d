"""The back office of 360° feedback: cycles, read-only, with participation counts.

Invitations and responses have no admin at all: a response has no rater to show, and listing who answered
would be one step from pairing people with answers. Cycles are launched and closed on HR's pages (services).
"""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from assessments.leadership.models import LeadershipCycle
from lms.models import REPORT_ROLES
from lms.scoping import is_unrestricted, organization_ids_for


@admin.register(LeadershipCycle)
class LeadershipCycleAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "opens_on", "closes_on", "state", "minimum_raters", "subjects",
                    "invited", "answered")
    list_filter = ("state",)
    search_fields = ("name",)
    fields = ("organization", "name", "opens_on", "closes_on", "minimum_raters", "state", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        cycles = super().get_queryset(request).select_related("organization").annotate(
            subject_count=Count("subjects", distinct=True),
            invited_count=Count("subjects__invitations", distinct=True),
            answered_count=Count("subjects__invitations", filter=Q(subjects__invitations__answered=True),
                                 distinct=True))
        if is_unrestricted(request.user):
            return cycles
        return cycles.filter(organization_id__in=organization_ids_for(request.user, *REPORT_ROLES))

    @admin.display(description="Managers")
    def subjects(self, cycle) -> int:
        return cycle.subject_count

    @admin.display(description="Invited")
    def invited(self, cycle) -> int:
        return cycle.invited_count

    @admin.display(description="Answered")
    def answered(self, cycle) -> int:
        return cycle.answered_count

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
