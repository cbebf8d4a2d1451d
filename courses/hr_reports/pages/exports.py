"""HR's export history (/hr/exports/): the organization's export jobs, 25 a page, with a download link while
the file is valid; a POST asks for a new export of what the shared filters select (the XLSX button)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from courses.hr_reports import selectors
from courses.hr_reports.pages.filters import filter_form
from courses.hr_reports.pages.frame import hr_organization, hr_page
from courses.hr_reports.services import exports as report_services

PAGE_SIZE = 25


def _request_export(request, organization, organizations):
    form = filter_form(request, organization)
    export_format = request.POST.get("format", "xlsx")
    if export_format not in ("csv", "xlsx"):
        export_format = "xlsx"
    _, created = report_services.report_export_request(actor=request.user, organization=organization,
                                                       export_format=export_format, filters=form.to_filters())
    messages.success(request, pgettext("hr", "The export is being prepared; it appears below when ready.")
                     if created else pgettext("hr", "The same export is already being prepared."))
    return redirect(f"/hr/exports/?organization={organization.slug}" if len(organizations) > 1 else "/hr/exports/")


@hr_page
@require_http_methods(["GET", "POST"])
def hr_exports(request):
    organization, organizations = hr_organization(request)
    if request.method == "POST":
        return _request_export(request, organization, organizations)
    page = Paginator(selectors.organization_exports(organization=organization), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [{"export": export, "download_url": report_services.download_url(export)} for export in page]
    return render(request, "courses/hr/exports.html", {
        "nav": "hr", "hr_nav": "exports", "organization": organization, "organizations": organizations,
        "page": page, "rows": rows,
        "org_query": f"organization={organization.slug}" if len(organizations) > 1 else "",
    })
