"""HR's workspace home at /hr/: the KPIs, completions per month by department (a chart and its data table),
the summary by course and department, all under the shared filters, with the CSV and XLSX downloads."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.hr_reports import charts
from courses.hr_reports import queries as reports
from courses.hr_reports.models import ReportAuditEntry
from courses.hr_reports.pages.filters import OVERDUE_QUERY, api_query, filter_form, page_query
from courses.hr_reports.pages.frame import hr_organization, hr_page
from courses.hr_reports.services import exports as report_services


@hr_page
@require_GET
def hr_home(request):
    organization, organizations = hr_organization(request)
    form = filter_form(request, organization)
    filters = form.to_filters()
    report_services.report_audit_record(actor=request.user, kind=ReportAuditEntry.Kind.DASHBOARD,
                                        organization=organization, format="html", filters=filters.as_json())
    summary = reports.summary(actor=request.user, filters=filters, overall=True)
    months = charts.month_series(*reports.completions_by_month(organization=organization, filters=filters))
    return render(request, "courses/hr/home.html", {
        "nav": "hr", "hr_nav": "home", "organization": organization, "organizations": organizations,
        "form": form, "summary": summary, "kpi": (summary.get("overall") or [None])[0],
        "months": months, "chart": charts.completions_chart_svg(months),
        "query": page_query(request, organization=organization, many=len(organizations) > 1),
        "csv_url": "/api/v1/reports/completions/?" + api_query(filters, format="csv", bom="true"),
        "export_query": api_query(filters), "overdue_query": OVERDUE_QUERY,
    })
