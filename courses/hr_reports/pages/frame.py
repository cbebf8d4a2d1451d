"""The frame of every /hr/ page (`hr_page`) and the organization a page reports on (`hr_organization`)."""
from __future__ import annotations

from django.http import Http404

from courses.hr_reports import queries as reports
from courses.hr_reports import selectors
from lms.errors import ApplicationError
from lms.models import Organization
from lms.pages.workspace import workspace_page

# Sign-in, then 403 for anyone who reads no organization's reports (HR and organization admins do, and superusers).
hr_page = workspace_page(selectors.reports_can_read)


def hr_organization(request) -> tuple[Organization, list[Organization]]:
    """The organization named by ``?organization=<slug>`` (404 outside the reader's scope), else the first by name;
    with every organization the reader may switch to."""
    choices = list(selectors.report_organizations(actor=request.user).order_by("name"))
    if not choices:
        raise Http404
    slug = request.GET.get("organization") or choices[0].slug
    try:
        organization = reports.single_organization(request.user, slug)
    except ApplicationError:
        raise Http404 from None
    return organization, choices
