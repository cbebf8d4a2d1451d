"""HR's API keys at /hr/api-keys/: the organization's keys, a new one (its secret shown once, on the answer to
the POST that made it, never again), and revoking one after a confirmation. HR and organization admins manage
them (``hr_page``); another organization's key is a 404."""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from courses.hr_reports.pages.frame import hr_organization, hr_page
from courses.hr_reports.services import credentials
from lms import selectors as people_selectors
from lms.errors import ApplicationError
from lms.models import ApiKeyScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("hr", "Name"), max_length=50,
                           help_text=pgettext_lazy("hr", "Which system uses it, to tell keys apart."))
    scopes = forms.MultipleChoiceField(label=pgettext_lazy("hr", "What it may do"), choices=ApiKeyScope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label=pgettext_lazy("hr", "Expires on"),
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=pgettext_lazy("hr", "At most a year from today."))


def _new_form() -> ApiKeyForm:
    expiry = timezone.localdate() + timedelta(days=credentials.API_KEY_DEFAULT_DAYS)
    return ApiKeyForm(initial={"scopes": [ApiKeyScope.REPORTS_READ.value], "expires_on": expiry.isoformat()})


def refuse_on_form(form: forms.Form, error: ApplicationError) -> None:
    placed = False
    for name, messages in (error.fields or {}).items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _page(request, organization, organizations, form, *, status: int = 200, created=None, raw: str = ""):
    return render(request, "courses/hr/api_keys.html", {
        "nav": "hr", "hr_nav": "api-keys", "organization": organization, "organizations": organizations,
        "keys": people_selectors.api_keys_of(organization=organization), "form": form,
        "created": created, "raw": raw, "now": timezone.now(),
    }, status=status)


@hr_page
@never_cache
@sensitive_variables("raw")
@require_http_methods(["GET", "POST"])
def hr_api_keys(request):
    organization, organizations = hr_organization(request)
    if request.method == "GET":
        return _page(request, organization, organizations, _new_form())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, organization, organizations, form, status=400)
    try:
        key, raw = credentials.hr_api_key_create(
            actor=request.user, organization=organization, name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"], expires_on=form.cleaned_data["expires_on"])
    except ApplicationError as error:
        refuse_on_form(form, error)
        return _page(request, organization, organizations, form, status=error.status_code)
    return _page(request, organization, organizations, _new_form(), created=key, raw=raw)


@hr_page
@require_GET
def hr_api_key_confirm_revoke(request, prefix: str):
    organization, organizations = hr_organization(request)
    key = people_selectors.api_key_get(organization=organization, prefix=prefix)
    return render(request, "courses/hr/api_key_revoke.html", {
        "nav": "hr", "hr_nav": "api-keys", "organization": organization, "organizations": organizations, "key": key,
    })


@hr_page
@require_http_methods(["POST"])
def hr_api_key_revoke(request, prefix: str):
    organization, _ = hr_organization(request)
    credentials.hr_api_key_revoke(actor=request.user, organization=organization, prefix=prefix)
    query = f"?organization={organization.slug}" if request.GET.get("organization") else ""
    return redirect(reverse("pages:hr-api-keys") + query)
