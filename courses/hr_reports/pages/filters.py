"""The one GET form every /hr/ report page shares (course, department, manager, status, overdue, enrollment
dates), what it means as report ``Filters``, and the same query for the completions API's downloads."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils.translation import pgettext_lazy

from courses.enrollments.models import Enrollment
from courses.hr_reports import queries as reports
from courses.hr_reports import selectors
from lms.models import Organization

STATUSES = [
    ("active", pgettext_lazy("hr", "Active")), ("completed", pgettext_lazy("hr", "Completed")),
    ("withdrawn", pgettext_lazy("hr", "Withdrawn")), ("expired", pgettext_lazy("hr", "Expired")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class HrFilterForm(forms.Form):
    course = forms.ChoiceField(label=pgettext_lazy("hr", "Course"), required=False)
    department = forms.TypedChoiceField(label=pgettext_lazy("hr", "Department"), required=False, coerce=int,
                                        empty_value=None)
    manager = forms.EmailField(label=pgettext_lazy("hr", "Manager's email"), required=False, max_length=254)
    status = forms.ChoiceField(label=pgettext_lazy("hr", "Status"), required=False,
                               choices=[("", pgettext_lazy("hr", "Any status")), *STATUSES])
    overdue = forms.BooleanField(label=pgettext_lazy("hr", "Overdue only"), required=False)
    enrolled_from = forms.DateField(label=pgettext_lazy("hr", "Enrolled from"), required=False, widget=DateInput)
    enrolled_to = forms.DateField(label=pgettext_lazy("hr", "Enrolled until"), required=False, widget=DateInput)

    def __init__(self, data, *, organization: Organization):
        super().__init__(data)
        self.fields["course"].choices = [("", pgettext_lazy("hr", "Every course")),
                                         *selectors.organization_courses(organization=organization)]
        self.fields["department"].choices = [("", pgettext_lazy("hr", "Every department")),
                                             *selectors.organization_departments(organization=organization)]
        self.organization = organization

    def _day(self, name: str, *, after: bool = False) -> datetime | None:
        value: date | None = self.cleaned_data.get(name)
        if value is None:
            return None
        return datetime.combine(value + timedelta(days=1) if after else value, time(), tzinfo=UTC)

    def to_filters(self) -> reports.Filters:
        """The report filters (an invalid field counts as not given; the form shows its error)."""
        if not self.is_bound:
            return reports.Filters(organization=self.organization)
        self.is_valid()
        data = self.cleaned_data
        return reports.Filters(
            organization=self.organization, course=data.get("course") or None,
            department=data.get("department"), manager=data.get("manager") or None,
            status=data.get("status") or None, overdue=True if data.get("overdue") else None,
            enrolled_after=self._day("enrolled_from"), enrolled_before=self._day("enrolled_to", after=True))


def filter_form(request, organization: Organization) -> HrFilterForm:
    """The form bound to the request's query when it names a filter, unbound (no filter) otherwise."""
    given = any(request.GET.get(name) for name in HrFilterForm.base_fields)
    return HrFilterForm(request.GET if given else None, organization=organization)


def page_query(request, *, organization: Organization, many: bool) -> str:
    """The page's own query (filters and the organization when the reader has several), for links."""
    params = {name: request.GET[name] for name in HrFilterForm.base_fields if request.GET.get(name)}
    if many:
        params = {"organization": organization.slug, **params}
    return urlencode(params)


def api_query(filters: reports.Filters, **extra: str) -> str:
    """The same filters as the completions API's query parameters (for the CSV download)."""
    params: dict[str, str] = {"organization": filters.organization.slug} if filters.organization else {}
    for name in ("course", "department", "manager", "status"):
        if getattr(filters, name) is not None:
            params[name] = str(getattr(filters, name))
    if filters.overdue is not None:
        params["overdue"] = "true" if filters.overdue else "false"
    for name in ("enrolled_after", "enrolled_before"):
        if getattr(filters, name) is not None:
            params[name] = getattr(filters, name).isoformat().replace("+00:00", "Z")
    return urlencode({**params, **extra})


STATUS_LABELS = dict(STATUSES)
OVERDUE_QUERY = urlencode({"status": Enrollment.Status.ACTIVE, "overdue": "on"})
