"""Back office for reminders: policies and settings per organization, people's preferences, the log.

Org admins see their organizations' rows; superusers all. Saves go through the reminder services.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from courses.catalog.models import Course
from courses.reminders import services
from courses.reminders.models import (
    NotificationPreference,
    ReminderLog,
    ReminderPolicy,
    ReminderSettings,
    ReminderSweepMark,
)
from courses.reminders.registry import sources
from courses.reminders.services.sweep_marks import ALL
from lms.admin import OrgScopedAdmin, ReadOnlyAdmin, ReadOnlyOrgAdmin, admin_organization_ids
from lms.errors import ApplicationError
from lms.models import Organization
from lms.scoping import is_unrestricted


class ReminderPolicyForm(forms.ModelForm):
    """The kind is one of the registered reminder kinds, offered as a list."""

    kind = forms.ChoiceField(choices=())

    class Meta:
        model = ReminderPolicy
        fields = ["organization", "course", "kind", "enabled", "days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, src.label) for kind, src in sources().items()]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(OrgScopedAdmin):
    form = ReminderPolicyForm
    list_display = ["organization", "kind", "course", "enabled", "days", "updated_at"]
    list_filter = ["kind", "enabled", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization", "course"]
    raw_id_fields = ["course"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course" and not is_unrestricted(request.user):
            # A policy may name the organization's own courses or a public one its learners take.
            kwargs["queryset"] = Course.objects.filter(
                Q(organization__isnull=True) | Q(organization_id__in=admin_organization_ids(request)))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
class ReminderSettingsAdmin(OrgScopedAdmin):
    list_display = ["organization", "from_email", "reply_to", "quiet_start", "quiet_end", "quiet_days", "daily_cap"]
    list_select_related = ["organization"]

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in ("from_email", "reply_to", "quiet_start", "quiet_end",
                                                        "quiet_days", "daily_cap")}
        obj.pk = services.reminder_settings_update(organization=obj.organization, **fields).pk


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyOrgAdmin):
    """Every reminder ever due, with what became of it. Read-only: the log is history."""

    list_display = ["created_at", "kind", "recipient", "status", "period", "organization", "attempts", "sent_at",
                    "detail"]
    list_filter = ["kind", "status", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "organization"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]
    raw_id_fields = ["recipient", "enrollment"]


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


@admin.register(ReminderSweepMark)
class ReminderSweepMarkAdmin(ReadOnlyAdmin):
    """Where each kind's sweep left off (superusers). Deleting marks makes the next sweep of those kinds a
    full one, which also logs what a change the periodic sweeps cannot see made due (services/sweep_marks.py)."""

    superusers_only = True
    list_display = ["kind", "scope_shown", "swept_until", "full_at"]
    list_filter = ["kind"]
    search_fields = ["kind", "scope"]
    readonly_fields = [f.name for f in ReminderSweepMark._meta.fields]
    actions = ["sweep_in_full"]

    def get_queryset(self, request):
        # A per-organization sweep's scope is the organization's id: its name comes along in the same query.
        named = Organization.objects.annotate(key=Cast("pk", CharField())).filter(key=OuterRef("scope"))
        return super().get_queryset(request).annotate(organization_name=Subquery(named.values("name")[:1]))

    @admin.display(description="Scope", ordering="scope")
    def scope_shown(self, obj: ReminderSweepMark) -> str:
        if obj.scope == ALL:
            return "Every organization"
        name = getattr(obj, "organization_name", None)
        return f"{name} (#{obj.scope})" if name else obj.scope

    @admin.action(description="Sweep the selected kinds in full next time")
    def sweep_in_full(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"{count} mark(s) removed: the next sweep of those kinds reads every due row.",
                          messages.SUCCESS)
