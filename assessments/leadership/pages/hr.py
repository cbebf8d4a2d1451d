"""HR's 360° feedback screens under /hr/leadership/: the cycles and launching one, a cycle's participation and
organization-level figures (never a manager's or a rater's), closing a cycle. In HR's frame (hr_page)."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.leadership import selectors, services
from assessments.leadership.behaviours import SCALE, SCALE_LABELS
from assessments.leadership.forms import CycleForm
from assessments.leadership.pages.feedback import CONTEXT, group_rows, source_label
from courses.hr_reports.pages.frame import hr_organization, hr_page
from lms.errors import ApplicationError


def _frame(organization, organizations) -> dict:
    return {"nav": "hr", "hr_nav": "leadership", "organization": organization, "organizations": organizations}


@hr_page
@require_http_methods(["GET", "POST"])
def hr_leadership(request):
    organization, organizations = hr_organization(request)
    managers = list(selectors.managers_of(organization=organization))
    form = CycleForm(request.POST or None, managers=managers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_launch(
                actor=request.user, organization=organization, name=data["name"], opens_on=data["opens_on"],
                closes_on=data["closes_on"], manager_ids=data["managers"], minimum_raters=data["minimum_raters"],
                peers=data["peers"], own_manager=data["own_manager"], self_rating=data["self_rating"])
        except ApplicationError as error:
            for field, problems in error.fields.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, pgettext(CONTEXT, "The round is launched; invitations are on their way."))
            return redirect(reverse("pages:hr-leadership-cycle", args=[cycle.pk]))
    cycles = selectors.cycles_visible_to(actor=request.user, organization=organization)
    return render(request, "assessments/leadership/hr_cycles.html", {
        **_frame(organization, organizations), "cycles": cycles, "form": form, "has_managers": bool(managers)})


@hr_page
@require_GET
def hr_leadership_cycle(request, cycle_id: int):
    cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle_id)
    _organization, organizations = hr_organization(request)
    participation = [{**row, "label": source_label(row["source"])}
                     for row in selectors.cycle_participation(cycle=cycle)]
    heads, rows = group_rows(selectors.cycle_organization_results(cycle=cycle))
    return render(request, "assessments/leadership/hr_cycle.html", {
        **_frame(cycle.organization, organizations), "cycle": cycle, "participation": participation,
        "heads": heads, "rows": rows, "scale_labels": [SCALE_LABELS[p] for p in SCALE]})


@hr_page
@require_POST
def hr_leadership_close(request, cycle_id: int):
    cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle_id)
    try:
        services.cycle_close(cycle=cycle)
    except ApplicationError:
        messages.info(request, pgettext(CONTEXT, "This round was already closed."))
    else:
        messages.success(request, pgettext(CONTEXT, "The round is closed; managers now see their results."))
    return redirect(reverse("pages:hr-leadership-cycle", args=[cycle.pk]))
