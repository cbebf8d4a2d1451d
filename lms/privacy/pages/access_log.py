"""The access log for an organization's admins (/org/privacy/access-log/): who read which person's data, through
which channel and when, newest first, 50 a page, filtered by person, reader, channel and days; an admin of
several organizations switches between them with ``?organization=<slug>``."""
from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from lms.models import Organization
from lms.pages.workspace import workspace_page
from lms.privacy.access_selectors import (
    AccessLogFilters,
    access_log_can_use,
    access_log_entries,
    access_log_organizations,
)
from lms.privacy.models import AccessLogEntry

C = "privacy"
PAGE_SIZE = 50

# Sign-in, then 403 for anyone who administers no organization.
access_log_page = workspace_page(access_log_can_use)


class AccessLogFilterForm(forms.Form):
    person = forms.CharField(label=pgettext_lazy(C, "Person whose data was read"), required=False, max_length=100,
                             help_text=pgettext_lazy(C, "Part of a name or an email address."))
    actor = forms.CharField(label=pgettext_lazy(C, "Read by"), required=False, max_length=100,
                            help_text=pgettext_lazy(C, "Part of a name or an email address, or an API key's prefix."))
    channel = forms.ChoiceField(label=pgettext_lazy(C, "Channel"), required=False,
                                choices=[("", pgettext_lazy(C, "Any")), *list(AccessLogEntry.Channel.choices)])
    since = forms.DateField(label=pgettext_lazy(C, "From (UTC)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=pgettext_lazy(C, "To (UTC)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", pgettext(C, "The end comes before the start."))
        return data

    def filters(self) -> AccessLogFilters:
        """The valid filters; a value that is not valid is shown with its error and that filter is off."""
        self.is_valid()
        data = self.cleaned_data
        return AccessLogFilters(person_text=data.get("person") or "", actor_text=data.get("actor") or "",
                                channel=data.get("channel") or "", since=data.get("since"), until=data.get("until"))


def _organization(request) -> tuple[Organization, list[Organization]]:
    choices = list(access_log_organizations(actor=request.user))
    slug = request.GET.get("organization") or (choices[0].slug if choices else "")
    for organization in choices:
        if organization.slug == slug:
            return organization, choices
    raise Http404


@access_log_page
@require_GET
def org_access_log(request):
    organization, organizations = _organization(request)
    form = AccessLogFilterForm(request.GET)
    entries = access_log_entries(organization=organization, filters=form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "lms/privacy/access_log.html", {
        "nav": "org-privacy", "organization": organization, "organizations": organizations, "form": form, "page": page,
        "query": query.urlencode(),
    })
