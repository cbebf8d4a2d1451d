"""HR's customer-satisfaction pages under /hr/outcomes/: import a CSV, the imported rows, the before/after report."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.outcomes import selectors, services
from assessments.outcomes.forms import OutcomeFilterForm, OutcomeReportForm, OutcomeUploadForm
from assessments.outcomes.selectors import report as outcome_reports
from courses.hr_reports.pages.frame import hr_organization, hr_page
from lms.errors import ApplicationError

PAGE_SIZE = 50


def _frame(request, **context) -> dict:
    organization, organizations = hr_organization(request)
    return {"nav": "hr", "hr_nav": "outcomes", "organization": organization, "organizations": organizations,
            **context}


@hr_page
@require_http_methods(["GET", "POST"])
def hr_outcomes(request):
    """The import: upload a CSV; the result lists every row's outcome, bad rows with their line and messages."""
    context = _frame(request)
    form = OutcomeUploadForm(request.POST or None, request.FILES or None)
    result, problem = None, None
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.rows_from_csv(form.cleaned_data["file"])
            result = services.outcome_scores_import(organization=context["organization"], rows=rows)
        except ApplicationError as error:
            problem = error.message
    status = 400 if problem or (result and not result["ok"]) or (request.method == "POST" and form.errors) else 200
    return render(request, "assessments/outcomes/import.html", {
        **context, "form": form, "result": result, "problem": problem,
        "bad_rows": [row for row in (result or {}).get("rows", []) if row["errors"]]}, status=status)


@hr_page
@require_GET
def hr_outcome_scores(request):
    context = _frame(request)
    form = OutcomeFilterForm(request.GET)
    values = {key: value for key, value in form.cleaned_data.items() if value} if form.is_valid() else {}
    rows = selectors.outcome_scores_list(organization=context["organization"], **values)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assessments/outcomes/scores.html", {
        **context, "form": form, "page": page, "query": query.urlencode()})


@hr_page
@require_GET
def hr_outcome_report(request):
    context = _frame(request)
    organization = context["organization"]
    courses = [(course.slug, course.title) for course in selectors.outcome_course_choices(organization=organization)]
    departments = [(d.pk, d.name) for d in selectors.outcome_department_choices(organization=organization)]
    asked = "course" in request.GET
    form = OutcomeReportForm(request.GET if asked else None, courses=courses, departments=departments)
    report = None
    if asked and form.is_valid():
        data = form.cleaned_data
        report = outcome_reports.outcome_report(outcome_reports.ReportQuery(
            organization=organization, course_slug=data["course"], completed_from=data["completed_from"],
            completed_to=data["completed_to"], metric=data["metric"], window_days=data["window_days"],
            department_id=data["department"]))
    return render(request, "assessments/outcomes/report.html", {
        **context, "form": form, "report": report, "caveat": outcome_reports.CAVEAT},
        status=400 if asked and form.errors else 200)
