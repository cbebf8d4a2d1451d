"""The rater's pages (/feedback/: whom I am asked about, the answer form with the anonymity rule) and the
manager's own results (/feedback/results/), on the same selectors and services as the API."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from assessments.leadership import selectors, services
from assessments.leadership.behaviours import BEHAVIOURS, SCALE, SCALE_LABELS, THEMES
from assessments.leadership.errors import LeadershipErrorCode
from assessments.leadership.forms import AnswersForm
from lms.errors import ApplicationError, NotFound

CONTEXT = "leadership"


@login_required
@require_GET
def feedback_list(request):
    invitations = list(selectors.invitations_of(actor=request.user))
    return render(request, "assessments/leadership/feedback.html", {
        "nav": "feedback", "invitations": invitations, "has_results": selectors.is_rated(actor=request.user)})


def _refusal(code: str) -> str:
    if code == LeadershipErrorCode.INVITATION_ANSWERED:
        return pgettext(CONTEXT, "You have already answered for this person. It takes one set of answers.")
    if code == LeadershipErrorCode.CYCLE_NOT_OPEN:
        return pgettext(CONTEXT, "This feedback round is closed.")
    return pgettext(CONTEXT, "Answer every behaviour on the scale.")


@login_required
@require_http_methods(["GET", "POST"])
def feedback_answer(request, invitation_id: int):
    try:
        invitation = selectors.access_invitation_own(actor=request.user, invitation_id=invitation_id)
    except NotFound:
        raise Http404 from None
    if invitation.answered:  # the answers are never shown back, not even to their rater
        messages.info(request, _refusal(LeadershipErrorCode.INVITATION_ANSWERED))
        return redirect("pages:leadership-feedback")
    form = AnswersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_answer(invitation=invitation, answers=form.answers())
        except ApplicationError as error:
            messages.error(request, _refusal(error.code))
        else:
            messages.success(request, pgettext(CONTEXT, "Thank you. Your answers were saved without your name."))
        return redirect("pages:leadership-feedback")
    return render(request, "assessments/leadership/answer.html", {
        "nav": "feedback", "invitation": invitation, "form": form, "cycle": invitation.subject.cycle,
        "person": invitation.subject.membership.user, "is_self": invitation.source == "self"})


def source_label(key: str) -> str:
    return {"team": pgettext(CONTEXT, "Team"), "peer": pgettext(CONTEXT, "Peers"),
            "manager": pgettext(CONTEXT, "Own manager"), "self": pgettext(CONTEXT, "Self"),
            "others": pgettext(CONTEXT, "All others")}.get(key, key)


def group_rows(groups) -> tuple[list[dict], list[dict]]:
    """The groups' heads (label, n or withheld) and one row per behaviour: each group's mean and distribution."""
    heads = [{"label": source_label(group.key), "n": group.n, "withheld": group.withheld} for group in groups]
    rows = []
    for behaviour in BEHAVIOURS:
        cells = []
        for group in groups:
            figure = None if group.withheld else group.behaviours[behaviour.key]
            cells.append(None if figure is None else
                         {"mean": figure.mean, "distribution": [figure.distribution[p] for p in SCALE]})
        rows.append({"behaviour": behaviour, "theme": THEMES[behaviour.theme], "cells": cells})
    return heads, rows


def report_view(report) -> dict:
    heads, rows = group_rows(report.groups)
    own = report.self_answers or {}
    for row in rows:
        key = row["behaviour"].key
        row.update(own=own.get(key), gap=report.gaps[key], change=report.changes[key])
    return {"cycle": report.subject.cycle, "table_id": f"results-{report.subject.cycle_id}", "heads": heads,
            "rows": rows, "has_self": bool(own),
            "previous": report.previous_cycle, "others_withheld": report.others.withheld}


@login_required
@require_GET
def feedback_results(request):
    reports = [report_view(report) for report in selectors.results_of(actor=request.user)]
    return render(request, "assessments/leadership/results.html", {
        "nav": "feedback", "reports": reports, "scale_labels": [SCALE_LABELS[p] for p in SCALE],
        "pending": list(selectors.results_pending_of(actor=request.user))})
