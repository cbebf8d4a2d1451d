"""Reviews owed and given, the review of one performance against the rubric, and calibration examples.

Scope is the services' and selectors': a performance is reviewable by its performer (self), its
allocated peers, its partner and its supervisor or the course's staff (``services.reviews.reviewer_role``);
anyone else gets 404. Peers stay anonymous to the performer and see no other review.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.roleplays import selectors
from assessments.roleplays.errors import RoleplayConflict, RoleplayError
from assessments.roleplays.models import ReviewAssignment, ReviewerRole
from assessments.roleplays.pages.forms import RubricForm
from assessments.roleplays.pages.roleplays import role_label
from assessments.roleplays.pages.rubrics import rubric_matrix
from assessments.roleplays.services import reviews as services
from assessments.roleplays.services.reviews import reviewer_role
from lms.errors import NotFound

GIVEN_SHOWN = 100


def review_conflict_message(exc: RoleplayConflict) -> str:
    return {
        "review_exists": _("You have already reviewed this."),
        "review_closed": _("The deadline for this review has passed."),
        "calibration_required": _("Score the calibration examples of this scenario first."),
    }.get(exc.code, exc.message)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Calibration examples to score, reviews owed (soonest deadline first), reviews given, own role-plays."""
    queue = selectors.review_queue(actor=request.user)
    now = timezone.now()
    owed = [{"assignment": a, "role": role_label(a.role), "overdue": a.due_at < now} for a in queue["assignments"]]
    given = list(selectors.reviews_given(actor=request.user)[:GIVEN_SHOWN])
    context = {
        "nav": "reviews", "calibration": queue["calibration"], "owed": owed,
        "given": [{"review": r, "role": role_label(r.role)} for r in given], "given_limit": GIVEN_SHOWN,
        "own": list(selectors.own_performances(actor=request.user)[:GIVEN_SHOWN]),
    }
    return render(request, "assessments/pages/reviews.html", context)


def _review_context(request: HttpRequest, performance, role: str, assignment: ReviewAssignment | None) -> dict:
    scenario = performance.scenario
    existing = selectors.own_review(actor=request.user, performance=performance, role=role)
    pending_calibration = []
    if role == ReviewerRole.PEER:
        pending_calibration = [e for e in selectors.review_queue(actor=request.user)["calibration"]
                               if e.scenario_id == scenario.pk]
    closed = assignment is not None and (assignment.status == ReviewAssignment.Status.EXPIRED
                                         or assignment.due_at < timezone.now())
    return {
        "nav": "reviews", "performance": performance, "scenario": scenario, "activity": scenario.activity,
        "role": role, "role_label": role_label(role), "assignment": assignment, "existing": existing,
        "pending_calibration": pending_calibration, "closed": closed,
        "show_performer": role in (ReviewerRole.SUPERVISOR, ReviewerRole.PARTNER),
        "recording_consent": selectors.recording_consent_summary(performance),
    }


@require_http_methods(["GET", "POST"])
@login_required
def review_page(request: HttpRequest, performance_id: int) -> HttpResponse:
    """Review one performance in the role one holds for it (GET shows it; POST submits)."""
    performance = selectors.performance_get(actor=request.user, performance_id=performance_id)
    try:
        role, assignment = reviewer_role(performance=performance, reviewer=request.user)
    except NotFound as exc:
        raise Http404 from exc
    context = _review_context(request, performance, role, assignment)
    criteria = selectors.rubric_criteria(rubric_id=performance.scenario.rubric_id)
    options = {"criteria": criteria, "role": role, "opportunities": performance.scenario.opportunities}
    status = 200
    if request.method == "POST":
        form = RubricForm(request.POST, **options)
        if form.is_valid():
            try:
                services.review_submit(
                    performance=performance, reviewer=request.user, role=role,
                    scores=form.scores() if role != ReviewerRole.PARTNER else None,
                    comments=form.cleaned_data.get("comments", ""), cared_for=form.cleaned_data.get("cared_for"),
                    opportunity_codes=form.opportunity_codes())
            except RoleplayConflict as exc:
                messages.error(request, review_conflict_message(exc))
                return redirect("pages:review", performance.pk)
            except RoleplayError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you: your review is saved."))
                if role == ReviewerRole.SELF:
                    return redirect("pages:roleplay-result", performance.pk)
                return redirect("pages:reviews")
        status = 400
    else:
        form = RubricForm(**options)
    criterion_titles = {c.pk: c.title for c in criteria}
    context.update({
        "form": form, "rubric": rubric_matrix(criteria),
        "existing_scores": [{"title": criterion_titles.get(s.criterion_id, ""), "points": s.points}
                            for s in context["existing"].scores.all()] if context["existing"] else [],
    })
    return render(request, "assessments/pages/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def calibration_page(request: HttpRequest, example_id: int) -> HttpResponse:
    """Score a calibration example once, before reviewing peers; the reply says how close one was to the experts."""
    example = selectors.calibration_example_get(actor=request.user, example_id=example_id)
    criteria = selectors.rubric_criteria(rubric_id=example.scenario.rubric_id)
    done = selectors.own_review(actor=request.user, performance=example.performance) is not None
    status = 200
    if request.method == "POST" and not done:
        form = RubricForm(request.POST, criteria=criteria, calibration=True)
        if form.is_valid():
            try:
                calibration = services.calibration_review_submit(example=example, reviewer=request.user,
                                                                 scores=form.scores())
            except RoleplayConflict as exc:
                messages.error(request, review_conflict_message(exc))
                return redirect("pages:reviews")
            except RoleplayError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Calibration scored. Your agreement with the experts so far: "
                                            "%(agreement)s%%.") % {"agreement": round(calibration.agreement * 100)})
                return redirect("pages:reviews")
        status = 400
    elif request.method == "POST":
        messages.error(request, _("You have already scored this example."))
        return redirect("pages:reviews")
    else:
        form = RubricForm(criteria=criteria, calibration=True)
    context = {"nav": "reviews", "example": example, "scenario": example.scenario, "done": done, "form": form,
               "rubric": rubric_matrix(criteria)}
    return render(request, "assessments/pages/calibration.html", context, status=status)
