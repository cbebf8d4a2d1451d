"""HR's people list (/hr/people/: the filtered enrollments, 50 a page; the overdue list is its preset),
a learner's drill-down (/hr/people/<id>/) and "remind now" (POST /hr/people/<id>/remind/)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from courses.hr_reports import selectors
from courses.hr_reports.pages.filters import OVERDUE_QUERY, STATUS_LABELS, filter_form, page_query
from courses.hr_reports.pages.frame import hr_organization, hr_page
from courses.reminders.services import nudge
from lms.errors import ApplicationError
from lms.privacy.access_services import Channel, access_record

PAGE_SIZE = 50


def _organization_query(organization, organizations) -> str:
    return f"organization={organization.slug}" if len(organizations) > 1 else ""


@hr_page
@require_GET
def hr_people(request):
    organization, organizations = hr_organization(request)
    form = filter_form(request, organization)
    filters = form.to_filters()
    page = Paginator(selectors.hr_people(organization=organization, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    now = timezone.now()
    rows = [{"enrollment": e, "status": STATUS_LABELS.get(e.status, e.status),
             "overdue": e.status == "active" and e.due_at is not None and e.due_at < now} for e in page]
    access_record(actor=request.user, organization=organization, channel=Channel.PAGE, what="hr.people",
                  people=len({row["enrollment"].user_id for row in rows}), detail=filters.as_json())
    return render(request, "courses/hr/people.html", {
        "nav": "hr", "hr_nav": "people", "organization": organization, "organizations": organizations,
        "form": form, "page": page, "rows": rows, "overdue_preset": filters.overdue is True,
        "query": page_query(request, organization=organization, many=len(organizations) > 1),
        "org_query": _organization_query(organization, organizations), "overdue_query": OVERDUE_QUERY,
    })


@hr_page
@require_GET
def hr_person(request, user_id: int):
    organization, organizations = hr_organization(request)
    person, enrollments, department = selectors.hr_learner(organization=organization, user_id=user_id)
    access_record(actor=request.user, organization=organization, channel=Channel.PAGE, what="hr.person", subject=person)
    now = timezone.now()
    rows = [{"enrollment": e, "status": STATUS_LABELS.get(e.status, e.status),
             "certificate": getattr(e, "certificate", None),
             "overdue": e.status == "active" and e.due_at is not None and e.due_at < now} for e in enrollments]
    return render(request, "courses/hr/person.html", {
        "nav": "hr", "hr_nav": "people", "organization": organization, "organizations": organizations,
        "person": person, "department": department, "rows": rows, "can_remind": any(r["overdue"] for r in rows),
        "org_query": _organization_query(organization, organizations),
    })


@hr_page
@require_POST
def hr_person_remind(request, user_id: int):
    organization, _ = hr_organization(request)
    person, _, _ = selectors.hr_learner(organization=organization, user_id=user_id)
    try:
        _, created = nudge.reminder_hr_nudge(actor=request.user, organization=organization, user_id=person.pk)
    except ApplicationError:
        messages.error(request, pgettext("hr", "%(name)s has no overdue course here.") % {
            "name": person.display_name})
    else:
        text = (pgettext("hr", "Reminder sent to %(name)s.") if created else
                pgettext("hr", "%(name)s was already reminded today; no second email was sent."))
        messages.success(request, text % {"name": person.display_name})
    back = request.POST.get("next", "")
    if not back.startswith("/hr/") or back.startswith("//"):
        back = f"/hr/people/{person.pk}/"
    return redirect(back)
