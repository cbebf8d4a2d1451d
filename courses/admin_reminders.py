"""Back office for reminders: policies and settings per organization, people's preferences, the log.

Org admins see their organizations' rows; superusers all. Saves go through the reminder services.
"""
from __future__ import annotations

from django.contrib import admin, messages

from courses import selectors
from courses.models import NotificationPreference, ReminderLog, ReminderPolicy, ReminderSettings
from courses.services import reminders as services
from lms.errors import ApplicationError
from lms.models import Role
from lms.scoping import is_unrestricted, organization_ids_for


class OrgAdminScoped(admin.ModelAdmin):
    def _org_ids(self, request) -> set[int]:
        return organization_ids_for(request.user, Role.ORG_ADMIN)

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if is_unrestricted(request.user) else rows.filter(organization_id__in=self._org_ids(request))

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(self._org_ids(request)))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not is_unrestricted(request.user):
            from lms.models import Organization

            kwargs["queryset"] = Organization.objects.filter(pk__in=self._org_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(OrgAdminScoped):
    list_display = ["organization", "kind", "course", "enabled", "days", "updated_at"]
    list_filter = ["kind", "enabled", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization", "course"]
    raw_id_fields = ["course"]

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.reminder_policy_update(policy=obj, enabled=obj.enabled, days=obj.days)
            else:
                policy, _ = services.reminder_policy_upsert(organization=obj.organization, course=obj.course,
                                                            kind=obj.kind, enabled=obj.enabled, days=obj.days)
                obj.pk = policy.pk
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_model(self, request, obj):
        services.reminder_policy_delete(policy=obj)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(OrgAdminScoped):
    list_display = ["organization", "from_email", "reply_to", "quiet_start", "quiet_end", "quiet_days", "daily_cap"]
    list_select_related = ["organization"]

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in ("from_email", "reply_to", "quiet_start", "quiet_end",
                                                        "quiet_days", "daily_cap")}
        obj.pk = services.reminder_settings_update(organization=obj.organization, **fields).pk


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """Every reminder ever due, with what became of it. Read-only: the log is history."""

    list_display = ["created_at", "kind", "recipient", "status", "period", "organization", "attempts", "sent_at",
                    "detail"]
    list_filter = ["kind", "status", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "organization"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]
    raw_id_fields = ["recipient", "enrollment"]

    def get_queryset(self, request):
        return selectors.reminder_logs_visible_to(actor=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(organization_ids_for(request.user, Role.ORG_ADMIN)))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "disabled_kinds", "paused_at", "paused_reason"]
    list_filter = ["email_enabled", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    readonly_fields = [f.name for f in NotificationPreference._meta.fields]
    actions = ["resume"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Resume sending to the selected paused addresses")
    def resume(self, request, queryset):
        for preference in queryset.select_related("user"):
            services.notification_preference_update(user=preference.user, resume=True)
