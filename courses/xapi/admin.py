"""The back office for xAPI: an organization's LRS endpoint (saved through the service, credentials
write-only) and its outbox (read-only, with a retry of failed statements)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from courses.xapi.errors import XapiError
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.services import endpoints as endpoint_services
from courses.xapi.services import outbox
from lms.admin import OrgScopedAdmin, ReadOnlyOrgAdmin


class LrsEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("LRS URL"), max_length=480, assume_scheme="https")
    username = forms.CharField(label=_("LRS username"), required=False, max_length=200,
                               help_text=_("Leave empty to keep the stored credentials."))
    password = forms.CharField(label=_("LRS password"), required=False, max_length=500,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Stored encrypted; never shown again."))

    class Meta:
        model = LrsEndpoint
        fields = ["organization", "url", "version", "actor_mode", "is_active"]
        labels = {"version": _("xAPI version"), "actor_mode": _("How learners are named"),
                  "is_active": _("Send statements")}

    def clean(self):
        data = super().clean()
        try:
            if data.get("url"):
                endpoint_services.lrs_url_check(data["url"])
        except XapiError as error:
            self.add_error("url", error.message)
        if self.instance.pk is None and not (data.get("username") and data.get("password")):
            self.add_error("password", _("The username and password are needed to create the endpoint."))
        return data


@admin.register(LrsEndpoint)
class LrsEndpointAdmin(OrgScopedAdmin):
    form = LrsEndpointForm
    list_display = ("organization", "url", "version", "actor_mode", "is_active", "updated_at")
    list_filter = ("version", "actor_mode", "is_active")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        credentials = {"username": data["username"], "password": data["password"]} if data.get("password") else {}
        saved, _ = endpoint_services.lrs_endpoint_set(
            organization=data["organization"], url=data["url"], version=data["version"],
            actor_mode=data["actor_mode"], is_active=data["is_active"], actor=request.user, **credentials)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        endpoint_services.lrs_endpoint_delete(endpoint=obj)


@admin.register(XapiStatement)
class XapiStatementAdmin(ReadOnlyOrgAdmin):
    list_display = ("id", "organization", "event", "verb", "status", "attempts", "last_status_code",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "verb")
    search_fields = ("event", "statement_id")
    readonly_fields = [f.name for f in XapiStatement._meta.fields]
    actions = ["retry_failed"]

    @admin.action(description=_("Send the failed statements of these organizations again"))
    def retry_failed(self, request, queryset):
        organizations = set(queryset.values_list("organization_id", flat=True))
        count = sum(outbox.xapi_statements_retry(organization_id=org_id) for org_id in organizations)
        self.message_user(request, f"{count} statement(s) queued again.", messages.SUCCESS)
