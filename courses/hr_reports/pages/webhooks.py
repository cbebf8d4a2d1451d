"""HR's webhook endpoints at /hr/webhooks/: the list, a new endpoint (its URL checked by the webhook service's
outbound rules; the secret shown once), an endpoint's delivery log (50 a page) with replay, and secret rotation
(the new secret shown once; the old one stops at once). HR and organization admins (``hr_page``); another
organization's endpoint or delivery is a 404."""
from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from courses.hr_reports import selectors
from courses.hr_reports.models import WebhookEndpoint
from courses.hr_reports.pages.api_keys import refuse_on_form
from courses.hr_reports.pages.frame import hr_organization, hr_page
from courses.hr_reports.services import credentials
from lms.errors import ApplicationError

DELIVERIES_PER_PAGE = 50
EVENT_LABELS = [
    (WebhookEndpoint.Event.ENROLLMENT_COMPLETED.value, pgettext_lazy("hr", "A course completed")),
    (WebhookEndpoint.Event.CERTIFICATE_ISSUED.value, pgettext_lazy("hr", "A certificate issued")),
    (WebhookEndpoint.Event.CERTIFICATE_REVOKED.value, pgettext_lazy("hr", "A certificate revoked")),
]


class WebhookForm(forms.Form):
    url = forms.CharField(label=pgettext_lazy("hr", "URL"), max_length=500,
                          help_text=pgettext_lazy("hr", "An https:// address on the public internet."))
    event_types = forms.MultipleChoiceField(label=pgettext_lazy("hr", "Events"),
                                            choices=EVENT_LABELS,
                                            widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=pgettext_lazy("hr", "Description"), max_length=200, required=False)


def _list(request, organization, organizations, form, *, status: int = 200, created=None, secret: str = ""):
    return render(request, "courses/hr/webhooks.html", {
        "nav": "hr", "hr_nav": "webhooks", "organization": organization, "organizations": organizations,
        "endpoints": selectors.endpoints_of(organization=organization), "form": form,
        "created": created, "secret": secret,
    }, status=status)


@hr_page
@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def hr_webhooks(request):
    organization, organizations = hr_organization(request)
    if request.method == "GET":
        return _list(request, organization, organizations, WebhookForm())
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _list(request, organization, organizations, form, status=400)
    try:
        endpoint, secret = credentials.hr_webhook_create(actor=request.user, organization=organization,
                                                         **form.cleaned_data)
    except ApplicationError as error:
        refuse_on_form(form, error)
        return _list(request, organization, organizations, form, status=error.status_code)
    return _list(request, organization, organizations, WebhookForm(), created=endpoint, secret=secret)


def _detail(request, endpoint_id: int, *, secret: str = ""):
    organization, organizations = hr_organization(request)
    endpoint = selectors.endpoint_of(organization=organization, endpoint_id=endpoint_id)
    page = Paginator(selectors.deliveries_of(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "courses/hr/webhook.html", {
        "nav": "hr", "hr_nav": "webhooks", "organization": organization, "organizations": organizations,
        "endpoint": endpoint, "page": page, "secret": secret,
    })


@hr_page
@require_GET
def hr_webhook(request, endpoint_id: int):
    return _detail(request, endpoint_id)


@hr_page
@never_cache
@sensitive_variables("secret")
@require_http_methods(["POST"])
def hr_webhook_rotate(request, endpoint_id: int):
    organization, _ = hr_organization(request)
    endpoint = selectors.endpoint_of(organization=organization, endpoint_id=endpoint_id)
    secret = credentials.hr_webhook_secret_rotate(actor=request.user, endpoint=endpoint)
    return _detail(request, endpoint_id, secret=secret)


@hr_page
@require_http_methods(["POST"])
def hr_webhook_replay(request, endpoint_id: int, delivery_id: int):
    organization, _ = hr_organization(request)
    endpoint = selectors.endpoint_of(organization=organization, endpoint_id=endpoint_id)
    delivery = selectors.delivery_of(endpoint=endpoint, delivery_id=delivery_id)
    credentials.hr_webhook_replay(actor=request.user, endpoint=endpoint, delivery=delivery)
    query = f"?organization={organization.slug}" if request.GET.get("organization") else ""
    return redirect(reverse("pages:hr-webhook", args=[endpoint.pk]) + query)
