"""Managing one session at /teach/workshops/sessions/<id>/: its details and edit form (a changed time sends every
booked learner an updated invitation), the roster, the waitlist (approve, decline, move), the capacity (a larger
one promotes from the waitlist at once), cancelling, the roster CSV and messages to the learners.

Each action is a POST to its own address; a refusal re-renders the whole page with the form's errors beside their
fields (400, or 409 when the session's state conflicts) and writes nothing."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from courses.teaching.pages import teach_page
from courses.workshops import selectors
from courses.workshops.models import Registration, WorkshopSession
from courses.workshops.pages.learner import status_label
from courses.workshops.pages.teach import error_status
from courses.workshops.pages.teach_forms import (
    CancelForm,
    CapacityForm,
    DeclineForm,
    MessageForm,
    MoveForm,
    SessionForm,
    apply_error,
    explain,
    message_form_key,
    session_initial,
)
from courses.workshops.services import messages as session_messages
from courses.workshops.services import sessions as workshop_sessions
from courses.workshops.services import waitlist
from lms.errors import ApplicationError

CONTEXT = "teach"


def _edit_form(session: WorkshopSession, data: Any = None) -> SessionForm:
    return SessionForm(data, people=selectors.organization_people(course=session.workshop.activity.course),
                       part_ids=[part.pk for part in session.parts.all()], initial=session_initial(session),
                       auto_id="edit-%s")  # the capacity form on the same page has a capacity field too


def _page(request, session: WorkshopSession, *, status: int = 200, **forms: Any):
    roster = list(selectors.session_roster(session=session))
    for registration in roster:
        registration.status_label = status_label(registration.status)
    waiting = [registration for registration in roster
               if registration.status in (Registration.Status.WAITLISTED, Registration.Status.PENDING_APPROVAL)]
    targets = list(selectors.session_move_targets(session=session))
    context = {
        "nav": "teach", "teach_nav": "workshops", "session": session, "roster": roster, "waiting": waiting,
        "targets": targets, "messages_sent": list(selectors.session_messages(session=session)),
        "zone": selectors.viewer_timezone(request.user),
        "editable": session.status == WorkshopSession.Status.SCHEDULED,
        "roster_csv_url": reverse("v1:workshop-session-roster-csv", args=[session.pk]),
        "edit_form": forms.get("edit_form") or _edit_form(session),
        "capacity_form": forms.get("capacity_form") or CapacityForm(initial={"capacity": session.capacity}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "message_form": forms.get("message_form") or MessageForm(initial={"key": message_form_key()}),
        "move_form": forms.get("move_form") or MoveForm(targets=targets),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "action_error": forms.get("action_error", ""),
        "action_registration": forms.get("action_registration"),
    }
    return render(request, "courses/teach/workshops_session.html", context, status=status)


def _session(request, session_id: int) -> WorkshopSession:
    return selectors.access_session_teach(actor=request.user, session_id=session_id)


def _done(request, session: WorkshopSession, text: str):
    messages.success(request, text)
    return redirect("pages:teach-session", session_id=session.pk)


@teach_page
@require_GET
def teach_session(request, session_id: int):
    return _page(request, _session(request, session_id))


@teach_page
@require_POST
def teach_session_edit(request, session_id: int):
    session = _session(request, session_id)
    form = _edit_form(session, request.POST)
    if not form.is_valid():
        return _page(request, session, status=400, edit_form=form)
    try:
        workshop_sessions.session_update(session=session, actor=request.user, **form.service_fields())
    except ApplicationError as error:
        apply_error(form, error)
        return _page(request, session, status=error_status(error), edit_form=form)
    return _done(request, session, pgettext(CONTEXT, "The session is saved. If its time or place changed, every "
                                                     "booked learner is sent the updated invitation."))


@teach_page
@require_POST
def teach_session_capacity(request, session_id: int):
    session = _session(request, session_id)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=400, capacity_form=form)
    try:
        workshop_sessions.session_update(session=session, actor=request.user, capacity=form.cleaned_data["capacity"])
    except ApplicationError as error:
        apply_error(form, error)
        return _page(request, session, status=error_status(error), capacity_form=form)
    return _done(request, session, pgettext(CONTEXT, "The capacity is changed; free seats went to the waitlist."))


@teach_page
@require_POST
def teach_session_cancel(request, session_id: int):
    session = _session(request, session_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=400, cancel_form=form)
    if session.status == WorkshopSession.Status.CANCELLED:
        form.add_error(None, pgettext(CONTEXT, "This session is already cancelled."))
        return _page(request, session, status=409, cancel_form=form)
    workshop_sessions.session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
    return _done(request, session, pgettext(CONTEXT, "The session is cancelled; its learners are told."))


@teach_page
@require_POST
def teach_session_message(request, session_id: int):
    session = _session(request, session_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=400, message_form=form)
    _message, created = session_messages.session_message_send(
        session=session, actor=request.user, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
        key=form.cleaned_data["key"], include_waitlisted=form.cleaned_data["include_waitlisted"])
    if not created:
        messages.info(request, pgettext(CONTEXT, "This message was already sent; it was not sent again."))
        return redirect("pages:teach-session", session_id=session.pk)
    return _done(request, session, pgettext(CONTEXT, "The message is on its way."))


@teach_page
@require_POST
def teach_registration_action(request, session_id: int, registration_id: int, action: str):
    session = _session(request, session_id)
    registration = selectors.session_registration_get(session=session, registration_id=registration_id)
    forms: dict[str, Any] = {"action_registration": registration.pk}
    try:
        if action == "approve":
            waitlist.registration_waitlist_approve(registration=registration, actor=request.user)
        elif action == "decline":
            form = forms["decline_form"] = DeclineForm(request.POST)
            if not form.is_valid():
                return _page(request, session, status=400, **forms)
            waitlist.registration_waitlist_decline(registration=registration, actor=request.user,
                                                   reason=form.cleaned_data["reason"])
        else:
            move = forms["move_form"] = MoveForm(request.POST,
                                                 targets=list(selectors.session_move_targets(session=session)))
            if not move.is_valid():
                return _page(request, session, status=400, **forms)
            target = selectors.access_session_teach(actor=request.user, session_id=move.cleaned_data["to_session"])
            waitlist.registration_move(registration=registration, to_session=target, actor=request.user)
    except ApplicationError as error:
        forms["action_error"] = explain(error)
        return _page(request, session, status=error_status(error), **forms)
    done = {"approve": pgettext(CONTEXT, "The learner is booked and told so."),
            "decline": pgettext(CONTEXT, "The learner is taken off the waitlist."),
            "move": pgettext(CONTEXT, "The learner is moved to the other session.")}
    return _done(request, session, done[action])
