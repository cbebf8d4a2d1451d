"""The forms of HR's customer-satisfaction pages: the CSV upload, the list's filters and the report's question."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from assessments.outcomes.models import OutcomeScore
from assessments.outcomes.selectors.report import DEFAULT_WINDOW, MAX_WINDOW
from lms.pages.forms import AccessibleFormMixin

_METRICS = [(OutcomeScore.Metric.CSAT, pgettext_lazy("outcomes", "Customer satisfaction (CSAT)")),
            (OutcomeScore.Metric.QUALITY, pgettext_lazy("outcomes", "Quality review"))]
_DATE = {"type": "date"}


class OutcomeUploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=pgettext_lazy("outcomes", "CSV file"),
                           help_text=pgettext_lazy("outcomes", "UTF-8, at most 5 MB and 10,000 rows."))


class OutcomeFilterForm(AccessibleFormMixin, forms.Form):
    agent = forms.CharField(label=pgettext_lazy("outcomes", "Agent (employee id or email)"), required=False,
                            max_length=254)
    period_from = forms.DateField(label=pgettext_lazy("outcomes", "Periods ending on or after"), required=False,
                                  widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    period_to = forms.DateField(label=pgettext_lazy("outcomes", "Periods starting on or before"), required=False,
                                widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))


class OutcomeReportForm(AccessibleFormMixin, forms.Form):
    course = forms.ChoiceField(label=pgettext_lazy("outcomes", "Course"))
    completed_from = forms.DateField(label=pgettext_lazy("outcomes", "Completed from"),
                                     widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    completed_to = forms.DateField(label=pgettext_lazy("outcomes", "Completed until"),
                                   widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    metric = forms.ChoiceField(label=pgettext_lazy("outcomes", "Measure"), choices=_METRICS)
    window_days = forms.IntegerField(label=pgettext_lazy("outcomes", "Window (days before and after)"),
                                     min_value=1, max_value=MAX_WINDOW, initial=DEFAULT_WINDOW)
    department = forms.TypedChoiceField(label=pgettext_lazy("outcomes", "Department"), required=False, coerce=int,
                                        empty_value=None)

    def __init__(self, *args: Any, courses: list[tuple[str, str]], departments: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = courses
        self.fields["department"].choices = [("", pgettext_lazy("outcomes", "All departments")), *departments]
        today = date.today()
        self.fields["completed_from"].initial = today - timedelta(days=365)
        self.fields["completed_to"].initial = today
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("completed_from"), data.get("completed_to")
        if start and end and end < start:
            self.add_error("completed_to", pgettext_lazy("outcomes", "This date comes before the first one."))
        return data
