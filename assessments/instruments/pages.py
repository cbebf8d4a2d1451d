"""Before/after surveys in the browser: the instrument's introduction and its items as rating scales at
the activity's address, answering through ``services.survey_respond``, and afterwards a thank-you with
the learner's own result (what the API shows them: their answers, score and subscale scores).

Who sees what follows the API (assessments/api/instruments.py): the items are for learners with an active
or completed enrollment and for the course's managers; anyone else who sees the course is invited to
enroll. Whether the survey is open (before: from enrollment until the closing survey is answered; after:
once every other required activity has passed) is ``survey_is_open``'s rule, shown here with its reason.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from assessments.instruments import growth_report, selectors, services
from assessments.instruments.errors import InstrumentErrorCode
from assessments.instruments.forms import SurveyAnswersForm
from assessments.instruments.models import Instrument, Survey
from assessments.roleplays.errors import RoleplayConflict, RoleplayError
from courses.catalog import selectors as catalog_selectors
from courses.catalog.pages.player import activity_player
from courses.enrollments import selectors as enrollment_selectors
from courses.hr_reports.pages.frame import hr_organization, hr_page

CONTEXT = "survey"


def closed_reason(survey: Survey) -> str:
    """Why an enrolled learner who has not answered cannot answer now."""
    if survey.timing == Survey.Timing.AFTER:
        return pgettext(CONTEXT, "This survey opens after you finish the required activities of the course.")
    return pgettext(CONTEXT, "This survey was for the start of the course. It closed when you answered the "
                    "survey at the end of the course.")


def conflict_message(exc: RoleplayConflict, survey: Survey) -> str:
    """The service's refusal, in the reader's language."""
    if exc.code == InstrumentErrorCode.SURVEY_ANSWERED:
        return pgettext(CONTEXT, "You have already answered this survey. It takes one set of answers.")
    if exc.code == InstrumentErrorCode.SURVEY_NOT_OPEN:
        return closed_reason(survey)
    return exc.message


def _activity_url(survey: Survey) -> str:
    return reverse("pages:activity", args=[survey.activity.course.slug, survey.activity_id])


def _score_range(instrument: Instrument, count: int) -> tuple[int, int]:
    """The lowest and highest score of a group of ``count`` items (a sum grows with the items)."""
    if instrument.scoring == Instrument.Scoring.SUM:
        return instrument.scale_min * count, instrument.scale_max * count
    return instrument.scale_min, instrument.scale_max


def _scale_points(instrument: Instrument) -> list[tuple[str, str]]:
    """(point, label) of the instrument's scale, for the managers' preview."""
    labels = instrument.scale_labels or {}
    points = [(str(point), labels.get(str(point), "")) for point in range(instrument.scale_min,
                                                                          instrument.scale_max + 1)]
    if instrument.allow_na:
        points.append(("", pgettext(CONTEXT, "Not applicable")))
    return points


def _shown(value) -> Decimal | None:
    """A score as the page shows it: at most two decimals, no trailing zeros (4.5, 4, 3.67)."""
    if value is None:
        return None
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _results(state: selectors.SurveyState) -> dict:
    """The learner's own result as the page shows it: scores (overall, then each subscale; beside the opening
    survey's for a closing one) and each answer with its scale label."""
    instrument, response = state.instrument, state.response
    earlier = selectors.earlier_response(survey=state.survey, enrollment=state.enrollment)
    sizes = Counter(item.subscale for item in state.items if item.subscale)
    low, high = _score_range(instrument, len(state.items))
    scores = [{"name": pgettext(CONTEXT, "Overall"), "score": _shown(response.score), "low": low, "high": high,
               "before": _shown(earlier.score) if earlier else None}]
    for name, value in response.subscale_scores.items():
        low, high = _score_range(instrument, sizes.get(name, 0))
        scores.append({"name": name.replace("-", " ").capitalize(), "score": _shown(value), "low": low,
                       "high": high, "before": _shown(earlier.subscale_scores.get(name)) if earlier else None})
    labels = instrument.scale_labels or {}
    answers = []
    for item in state.items:
        value = response.answers.get(item.key)
        if value is None:
            shown = (pgettext(CONTEXT, "Not applicable") if item.key in response.answers
                     else pgettext(CONTEXT, "Not answered"))
        else:
            shown = f"{value} · {labels[str(value)]}" if labels.get(str(value)) else str(value)
        answers.append({"text": item.text, "answer": shown})
    ranges = {(row["low"], row["high"]) for row in scores}
    return {"scores": scores, "answers": answers, "earlier": earlier, "missing": response.missing,
            "scored": response.score is not None, "range": ranges.pop() if len(ranges) == 1 else None}


def _render_survey(request: HttpRequest, course, activity, survey: Survey | None, enrollment, *,
                   form: SurveyAnswersForm | None = None, status: int = 200, player: dict | None = None
                   ) -> HttpResponse:
    context = {**(player or activity_player(request, activity)), "survey": survey, "state": None,
               "form": None, "results": None, "closed_reason": None, "can_manage": False}
    if survey is not None:
        state = selectors.survey_state(survey=survey, enrollment=enrollment)
        context["state"] = state
        if state.enrollment is None:
            context["can_manage"] = catalog_selectors.course_can_manage(actor=request.user, course=course)
            if context["can_manage"]:
                context["scale_points"] = _scale_points(state.instrument)
        elif state.answered:
            context["results"] = _results(state)
        elif state.is_open:
            context["form"] = form or SurveyAnswersForm(instrument=state.instrument, items=state.items)
        else:
            context["closed_reason"] = closed_reason(survey)
    return render(request, "assessments/pages/survey.html", context, status=status)


def survey_page(request: HttpRequest, course, activity, enrollment, player: dict | None = None) -> HttpResponse:
    """The survey activity: its introduction and rating scales while open, why not when closed, the learner's
    result once answered; an invitation to enroll for those who see the course without taking it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    survey = selectors.survey_for_activity(activity_id=activity.pk)
    return _render_survey(request, course, activity, survey, enrollment, player=player)


@require_POST
@login_required
def survey_answer(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Answer the survey once. Missing or unknown answers: the scales again with the errors (400), nothing
    recorded. Not enrolled, closed or already answered: back to the survey with the reason, nothing recorded.
    Answered: on to the next activity of the course (or the course page) with a thank-you."""
    survey = selectors.survey_for_activity(activity_id=activity_id)
    if survey is None:
        raise Http404
    course = survey.activity.course
    if not catalog_selectors.courses_visible_to(actor=request.user).filter(pk=course.pk).exists():
        raise Http404
    activity_url = _activity_url(survey)
    state = selectors.survey_state(survey=survey,
                                   enrollment=enrollment_selectors.user_enrollment(user=request.user, course=course))
    if state.enrollment is None:
        messages.error(request, pgettext(CONTEXT, "Enroll in the course to answer this survey."))
        return redirect(activity_url)
    if state.answered:
        messages.info(request, conflict_message(RoleplayConflict("", code=InstrumentErrorCode.SURVEY_ANSWERED), survey))
        return redirect(activity_url)
    if not state.is_open:
        messages.error(request, closed_reason(survey))
        return redirect(activity_url)
    form = SurveyAnswersForm(request.POST, instrument=state.instrument, items=state.items)
    if form.is_valid():
        try:
            services.survey_respond(survey=survey, enrollment=state.enrollment, answers=form.answers())
        except RoleplayConflict as exc:
            messages.error(request, conflict_message(exc, survey))
            return redirect(activity_url)
        except RoleplayError as exc:
            form.add_error(None, pgettext(CONTEXT, "These answers do not fit this survey (%(reason)s). Nothing was "
                                          "recorded.") % {"reason": exc.message})
        else:
            messages.success(request, pgettext(CONTEXT, "Thank you: your answers are in. Your result is on the "
                                               "survey's page whenever you want to see it."))
            _enrollment, activities, progress = enrollment_selectors.enrollment_with_progress(
                actor=request.user, enrollment_id=state.enrollment.pk)
            upcoming = enrollment_selectors.next_activity([a for a in activities if a.pk != survey.activity_id],
                                                          progress)
            if upcoming is None:
                return redirect("pages:course", course.slug)
            return redirect("pages:activity", course.slug, upcoming.pk)
    return _render_survey(request, course, survey.activity, survey, state.enrollment, form=form, status=400)


@hr_page
@require_GET
def hr_empathy(request: HttpRequest) -> HttpResponse:
    """HR's empathy-growth figures (/hr/empathy/): the growth report of one organization, with its suppression
    (groups under the minimum size show no figure)."""
    organization, organizations = hr_organization(request)
    report = growth_report.empathy_growth(actor=request.user, organization_id=organization.pk)
    return render(request, "assessments/pages/hr_empathy.html", {
        "nav": "hr", "hr_nav": "empathy", "organization": organization, "organizations": organizations,
        "report": report,
    })
