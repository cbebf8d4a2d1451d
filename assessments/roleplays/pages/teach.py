"""The instructor's role-play work at /teach/roleplays/: the reviews they owe or may take, the calibration examples
of the scenarios they manage (list, create, from a learner's performance too, and edit) and the rater-agreement
report. Reads through ``selectors`` (and ``selectors.teach``, ``selectors.agreement``), writes through the same
services as the API; outside the courses one manages is 404."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from assessments.roleplays import selectors
from assessments.roleplays.errors import RoleplayError
from assessments.roleplays.pages.forms import RubricForm
from assessments.roleplays.pages.roleplays import role_label
from assessments.roleplays.selectors import agreement as agreement_selectors
from assessments.roleplays.selectors import teach as teach_selectors
from assessments.roleplays.services import calibration_examples as example_services
from assessments.roleplays.services import reviews as review_services
from courses.teaching.pages import teach_page

OPEN_SHOWN = 100


class CalibrationExampleForm(RubricForm):
    """A reference performance and the experts' level for every criterion of the scenario's rubric."""

    title = forms.CharField(label=pgettext_lazy("teach", "Title"), max_length=200,
                            error_messages={"required": pgettext_lazy("teach", "Give the example a title.")})
    transcript = forms.CharField(
        label=pgettext_lazy("teach", "Transcript"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=pgettext_lazy("teach", "The conversation, one line per turn, or a summary of the recording."),
        error_messages={"required": pgettext_lazy("teach", "Paste the transcript of the reference performance.")})
    link = forms.URLField(label=pgettext_lazy("teach", "Link to a recording (optional)"), required=False,
                          max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, calibration=True, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"title": data["title"], "transcript": data["transcript"], "link": data.get("link") or "",
                "scores": self.scores()}

    def add_service_error(self, exc: RoleplayError) -> None:
        placed = False
        for name in exc.fields or {}:
            if name in self.fields:
                self.add_error(name, exc.message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class AgreementFilterForm(forms.Form):
    """The report's filters: one scenario of the rubric, a cohort (``session:<id>``, ``department:<id>`` or a label)."""

    scenario = forms.TypedChoiceField(label=pgettext_lazy("teach", "Scenario"), required=False, coerce=int,
                                      empty_value=None)
    cohort = forms.CharField(label=pgettext_lazy("teach", "Cohort"), required=False, max_length=100,
                             help_text=pgettext_lazy("teach", "session:<id>, department:<id> or a cohort label."))

    def __init__(self, *args: Any, scenarios: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scenario"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", pgettext_lazy("teach", "Every scenario")), *((s.pk, s.activity.title) for s in scenarios)]


@teach_page
@require_GET
def teach_roleplays(request):
    queue = selectors.review_queue(actor=request.user)
    now = timezone.now()
    owed = [{"assignment": a, "role": role_label(a.role), "overdue": a.due_at < now} for a in queue["assignments"]]
    scenarios = list(teach_selectors.scenarios_managed(actor=request.user))
    return render(request, "assessments/teach/roleplays.html", {
        "nav": "teach", "teach_nav": "roleplays", "owed": owed, "calibration": queue["calibration"],
        "open": list(teach_selectors.supervisor_reviews_open(actor=request.user)[:OPEN_SHOWN]),
        "open_limit": OPEN_SHOWN, "scenarios": scenarios,
        "rubrics": teach_selectors.rubrics_of_scenarios(scenarios),
    })


@teach_page
@require_GET
def teach_roleplay_calibration(request, scenario_id: int):
    scenario = selectors.access_scenario_manage(actor=request.user, scenario_id=scenario_id)
    return render(request, "assessments/teach/calibration_list.html", {
        "nav": "teach", "teach_nav": "roleplays", "scenario": scenario,
        "examples": teach_selectors.scenario_examples(scenario=scenario),
        "performances": teach_selectors.scenario_performances(actor=request.user, scenario=scenario),
    })


def _render_example_form(request, scenario, form, *, example=None, status: int = 200):
    return render(request, "assessments/teach/calibration_form.html", {
        "nav": "teach", "teach_nav": "roleplays", "scenario": scenario, "example": example, "form": form,
    }, status=status)


@teach_page
@require_http_methods(["GET", "POST"])
def teach_roleplay_calibration_new(request, scenario_id: int):
    scenario = selectors.access_scenario_manage(actor=request.user, scenario_id=scenario_id)
    criteria = selectors.rubric_criteria(rubric_id=scenario.rubric_id)
    if request.method == "POST":
        form = CalibrationExampleForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                review_services.calibration_example_create(scenario=scenario, expert=request.user,
                                                           **form.service_fields())
            except RoleplayError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, pgettext("teach", "The calibration example is saved."))
                return redirect("pages:teach-roleplay-calibration", scenario.pk)
        return _render_example_form(request, scenario, form, status=400)
    initial: dict[str, Any] = {}
    source = request.GET.get("performance", "")
    if source.isdigit() and len(source) < 19:
        performance = teach_selectors.performance_for_example(actor=request.user, scenario=scenario,
                                                              performance_id=int(source))
        initial = {"transcript": performance.transcript, "link": performance.link,
                   "title": pgettext("teach", "Example from %(date)s") % {
                       "date": timezone.localtime(performance.submitted_at).date().isoformat()}}
    return _render_example_form(request, scenario, CalibrationExampleForm(criteria=criteria, initial=initial))


@teach_page
@require_http_methods(["GET", "POST"])
def teach_roleplay_calibration_edit(request, example_id: int):
    example = teach_selectors.access_calibration_example_manage(actor=request.user, example_id=example_id)
    scenario = example.scenario
    criteria = selectors.rubric_criteria(rubric_id=scenario.rubric_id)
    if request.method == "POST":
        form = CalibrationExampleForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                example_services.calibration_example_update(example=example, expert=request.user,
                                                            **form.service_fields())
            except RoleplayError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, pgettext("teach", "The calibration example is saved."))
                return redirect("pages:teach-roleplay-calibration", scenario.pk)
        return _render_example_form(request, scenario, form, example=example, status=400)
    initial: dict[str, Any] = {"title": example.title, "transcript": example.performance.transcript,
                               "link": example.performance.link}
    for criterion, points in teach_selectors.expert_scores(example=example).items():
        initial[f"criterion-{criterion}"] = points
    form = CalibrationExampleForm(criteria=criteria, initial=initial)
    return _render_example_form(request, scenario, form, example=example)


@teach_page
@require_GET
def teach_roleplay_agreement(request, rubric_id: int):
    rubric = selectors.rubric_for_report(actor=request.user, rubric_id=rubric_id)
    scenarios = [s for s in teach_selectors.scenarios_managed(actor=request.user) if s.rubric_id == rubric.pk]
    form = AgreementFilterForm(request.GET or None, scenarios=scenarios)
    context: dict[str, Any] = {"nav": "teach", "teach_nav": "roleplays", "rubric": rubric, "form": form,
                               "report": None}
    if request.GET and not form.is_valid():
        return render(request, "assessments/teach/agreement.html", context, status=400)
    filters = form.cleaned_data if request.GET else {}
    cohort = agreement_selectors.agreement_cohort(actor=request.user, cohort=filters.get("cohort") or None)
    context["report"] = agreement_selectors.agreement_report(actor=request.user, rubric=rubric,
                                                             scenario_id=filters.get("scenario"), cohort=cohort)
    return render(request, "assessments/teach/agreement.html", context)
