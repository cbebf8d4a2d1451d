"""The gradebook's forms: the filters above the table, an override of one result, an extension."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from courses.catalog.models import Activity
from courses.enrollments.gradebook_export import enrollment_status_label
from courses.enrollments.models import Enrollment, Extension
from courses.enrollments.selectors.gradebook import GradebookFilters
from courses.enrollments.services.gradebook import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES, REASON_MAX_LENGTH
from lms.error_codes import PlatformErrorCode
from lms.models import Department
from lms.pages.forms import AccessibleFormMixin

C = "teach"


def sort_choices() -> list[tuple[str, Any]]:
    return [
        ("name", pgettext_lazy(C, "Name (A to Z)")), ("-name", pgettext_lazy(C, "Name (Z to A)")),
        ("-progress", pgettext_lazy(C, "Progress (most first)")),
        ("progress", pgettext_lazy(C, "Progress (least first)")),
        ("-final_score", pgettext_lazy(C, "Final score (highest first)")),
        ("final_score", pgettext_lazy(C, "Final score (lowest first)")),
        ("due", pgettext_lazy(C, "Due date (soonest first)")), ("-due", pgettext_lazy(C, "Due date (latest first)")),
    ]


class GradebookFilterForm(forms.Form):
    """The filters, from the query string. A value that is not one of the choices is ignored."""

    department = forms.TypedChoiceField(label=pgettext_lazy(C, "Department"), required=False, coerce=int,
                                        empty_value=None)
    status = forms.ChoiceField(label=pgettext_lazy(C, "Enrollment status"), required=False)
    overdue = forms.ChoiceField(label=pgettext_lazy(C, "Overdue"), required=False)
    sort = forms.ChoiceField(label=pgettext_lazy(C, "Sort by"), required=False)

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", pgettext_lazy(C, "Every department")),
                                             *[(d.pk, d.name) for d in departments]]
        self.fields["status"].choices = [("", pgettext_lazy(C, "Every status")),
                                         *[(value, enrollment_status_label(value))
                                           for value, _ in Enrollment.Status.choices]]
        self.fields["overdue"].choices = [("", pgettext_lazy(C, "Overdue or not")),
                                          ("yes", pgettext_lazy(C, "Overdue only")),
                                          ("no", pgettext_lazy(C, "Not overdue"))]
        self.fields["sort"].choices = sort_choices()

    def filters(self) -> GradebookFilters:
        self.is_valid()  # a value that is not a choice is dropped from cleaned_data: that filter is off
        data = self.cleaned_data
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return GradebookFilters(department=data.get("department"), status=data.get("status") or "",
                                overdue=overdue, sort=data.get("sort") or "name")


def _activity_choices(activities: list[Activity]) -> list[tuple[Any, str]]:
    return [("", pgettext_lazy(C, "Choose an activity")), *[(a.pk, a.title) for a in activities]]


class OverrideForm(AccessibleFormMixin, forms.Form):
    activity = forms.TypedChoiceField(label=pgettext_lazy(C, "Activity"), coerce=int)
    score = forms.DecimalField(label=pgettext_lazy(C, "Score (0 to 100)"), required=False, min_value=0,
                               max_value=100, decimal_places=2, max_digits=5)
    passed = forms.BooleanField(label=pgettext_lazy(C, "Mark it passed"), required=False)
    reason = forms.CharField(label=pgettext_lazy(C, "Reason"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=pgettext_lazy(C, "Kept in the learner's history with your name."))

    def __init__(self, *args: Any, activities: list[Activity], **kwargs: Any) -> None:
        super().__init__(*args, prefix="override", **kwargs)
        self.fields["activity"].choices = _activity_choices(activities)
        self.fields["score"].help_text = pgettext_lazy(
            C, "A result never lowers the best score and a pass is never undone.")
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "score" not in self.errors and data.get("score") is None and not data.get("passed"):
            self.add_error("score", pgettext_lazy(C, "Give a score, mark it passed, or both."))
        return data


class ExtensionForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy(C, "What to extend"))
    activity = forms.TypedChoiceField(label=pgettext_lazy(C, "Quiz"), coerce=int, required=False, empty_value=None,
                                      help_text=pgettext_lazy(C, "For an extra attempt or more time."))
    due_at = forms.DateTimeField(label=pgettext_lazy(C, "New due date"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                            format="%Y-%m-%dT%H:%M"),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    amount = forms.IntegerField(label=pgettext_lazy(C, "How many (attempts, or minutes)"), required=False,
                                min_value=1, max_value=max(MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES))
    reason = forms.CharField(label=pgettext_lazy(C, "Reason"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=pgettext_lazy(C, "Kept in the learner's history with your name."))

    def __init__(self, *args: Any, quizzes: list[Activity], **kwargs: Any) -> None:
        super().__init__(*args, prefix="extension", **kwargs)
        self.fields["kind"].choices = [
            (Extension.Kind.DUE_DATE, pgettext_lazy(C, "A later due date")),
            (Extension.Kind.EXTRA_ATTEMPT, pgettext_lazy(C, "Extra quiz attempts")),
            (Extension.Kind.EXTRA_TIME, pgettext_lazy(C, "More quiz time (minutes)")),
        ]
        self.fields["activity"].choices = [("", pgettext_lazy(C, "Choose a quiz")), *[(a.pk, a.title) for a in quizzes]]
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        required = {Extension.Kind.DUE_DATE: ["due_at"]}.get(kind, ["activity", "amount"]) if kind else []
        for name in required:
            if name not in self.errors and data.get(name) is None:
                self.add_error(name, forms.ValidationError(pgettext_lazy(C, "Needed for this kind of extension."),
                                                           code=PlatformErrorCode.REQUIRED))
        if kind == Extension.Kind.DUE_DATE and data.get("due_at") and data["due_at"] <= timezone.now():
            self.add_error("due_at", pgettext_lazy(C, "Choose a date in the future."))
        if kind == Extension.Kind.EXTRA_ATTEMPT and (data.get("amount") or 0) > MAX_EXTRA_ATTEMPTS:
            self.add_error("amount", pgettext_lazy(C, "At most %(count)s extra attempts at once.")
                           % {"count": MAX_EXTRA_ATTEMPTS})
        return data
