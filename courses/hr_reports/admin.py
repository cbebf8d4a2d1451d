"""The back office for HR reports: exports, the audit trail, webhook endpoints and deliveries (read-only
rows scoped to the caller's organizations)."""
from __future__ import annotations

from django.contrib import admin, messages

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from courses.hr_reports.models import (
    HrRollup,
    HrRollupGroup,
    ReportAuditEntry,
    ReportExport,
    ReportTombstone,
    WebhookDelivery,
    WebhookEndpoint,
)
from courses.hr_reports.services import webhooks as webhook_services
from lms.admin import ReadOnlyOrgAdmin


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyOrgAdmin):
    list_display = ("id", "organization", "format", "status", "rows_done", "rows_total", "runs", "requested_by",
                    "api_key_prefix", "created_at", "finished_at", "expires_at")
    list_filter = ("status", "format")
    # The file shows by name only: it leaves through the signed download link of the API, never the storage's address.
    exclude = ["file"]
    readonly_fields = [f.name if f.name != "file" else "file_name" for f in ReportExport._meta.fields]

    @admin.display(description="File")
    def file_name(self, obj: ReportExport) -> str:
        return obj.file.name.rsplit("/", 1)[-1] if obj.file else "-"


@admin.register(ReportAuditEntry)
class ReportAuditEntryAdmin(ReadOnlyOrgAdmin):
    list_display = ("at", "kind", "organization", "user", "api_key_prefix", "format", "filters")
    list_filter = ("kind", "format")
    search_fields = ("user__email", "api_key_prefix")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ReportAuditEntry._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyOrgAdmin):
    list_display = ("url", "organization", "event_types", "is_active", "consecutive_failures", "disabled_at",
                    "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("organization", "url", "description", "event_types", "is_active", "consecutive_failures",
                       "disabled_at", "disabled_reason", "created_by", "created_at")
    exclude = ("secret_encrypted",)  # never shown
    actions = ["switch_on", "switch_off"]

    @admin.action(description="Switch the selected endpoints on (failure count reset)")
    def switch_on(self, request, queryset):
        for endpoint in queryset:
            webhook_services.webhook_endpoint_update(endpoint=endpoint, is_active=True)
        self.message_user(request, f"{queryset.count()} endpoint(s) switched on.", messages.SUCCESS)

    @admin.action(description="Switch the selected endpoints off")
    def switch_off(self, request, queryset):
        for endpoint in queryset:
            webhook_services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
        self.message_user(request, f"{queryset.count()} endpoint(s) switched off.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyOrgAdmin):
    org_field = "endpoint__organization"
    list_display = ("id", "event_type", "object_id", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at", "replays")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["replay"]

    @admin.action(description="Send the selected deliveries again")
    def replay(self, request, queryset):
        for delivery in queryset:
            webhook_services.webhook_delivery_replay(delivery=delivery)
        self.message_user(request, f"{queryset.count()} delivery(ies) queued again.", messages.SUCCESS)


@admin.register(HrRollup)
class HrRollupAdmin(ReadOnlyOrgAdmin):
    """The summary's rollup, for inspection: counts only, no person (rebuilt by ``manage.py rollup_rebuild``)."""

    list_display = ("organization", "course", "department", "kind", "bucket", "value", "count", "score_sum",
                    "score_count")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in HrRollup._meta.fields]


@admin.register(HrRollupGroup)
class HrRollupGroupAdmin(ReadOnlyOrgAdmin):
    list_display = ("organization", "course", "enrollments", "enrollment_stamp", "certificate_stamp",
                    "membership_stamp", "built_at")
    readonly_fields = [f.name for f in HrRollupGroup._meta.fields]
@admin.register(ReportTombstone)
class ReportTombstoneAdmin(ReadOnlyOrgAdmin):
    """Rows deleted from the report, as the incremental sync hands them out (read-only)."""
    list_display = ("enrollment_id", "organization", "deleted_at")
    search_fields = ("enrollment_id",)
    date_hierarchy = "deleted_at"
    readonly_fields = [f.name for f in ReportTombstone._meta.fields]
