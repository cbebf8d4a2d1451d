"""Upcoming workshop sessions, registering, cancelling, waitlist position, calendar links.

Signed-in people only (the sessions API asks for sign-in too). Every write goes through the workshop
services; a refusal (full, closed, overlapping, not enrolled...) re-renders the session page with the
reason and the error's status (409 for conflicts), and nothing is written.
"""
from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from courses.enrollments import selectors
from courses.enrollments.models import Enrollment
from courses.workshops import selectors as learner_selectors
from courses.workshops import selectors as workshop_reads
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.models import ACTIVE_REGISTRATION, Registration, WorkshopSession
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as services
from lms.errors import ApplicationError

PER_PAGE = 20
CONTEXT = "workshops"


def status_label(status: str) -> str:
    labels = {
        Registration.Status.BOOKED: pgettext(CONTEXT, "Booked"),
        Registration.Status.WAITLISTED: pgettext(CONTEXT, "On the waitlist"),
        Registration.Status.PENDING_APPROVAL: pgettext(CONTEXT, "Waiting for approval"),
        Registration.Status.CANCELLED: pgettext(CONTEXT, "Cancelled"),
        Registration.Status.DECLINED: pgettext(CONTEXT, "Declined"),
    }
    return labels.get(status, status)


def _explain(error: ApplicationError, session: WorkshopSession) -> str:
    """The service's refusal in the reader's language (the service words it in English for the API)."""
    if (error.code == WorkshopErrorCode.CANCELLATION_CLOSED and session.starts_at
        and session.starts_at <= timezone.now()):
        return pgettext(CONTEXT, "The session has started; it can no longer be cancelled.")
    if error.code == WorkshopErrorCode.CANCELLATION_CLOSED:
        return pgettext(CONTEXT, "Booked places can be cancelled until %(hours)s hours before the start.") % {
            "hours": session.cancellation_cutoff_hours}
    words = {
        "session_cancelled": pgettext(CONTEXT, "This session has been cancelled."),
        "session_started": pgettext(CONTEXT, "This session has already started or taken place."),
        "registration_not_open": pgettext(CONTEXT, "Registration for this session is not open yet."),
        "registration_closed": pgettext(CONTEXT, "Registration for this session has closed."),
        "not_enrolled": pgettext(CONTEXT, "Enroll in the course before registering for its workshop."),
        "overlapping_session": pgettext(CONTEXT, "You already have a place in another session at an "
                                        "overlapping time. Cancel that place first."),
        "session_full": pgettext(CONTEXT, "This session is full and has no waitlist."),
        "not_registered": pgettext(CONTEXT, "You have no place in this session to cancel."),
    }
    return words.get(error.code, error.message)


def _with_seats(session: WorkshopSession) -> WorkshopSession:
    session.seats_left = max(0, session.capacity - session.booked_count)
    session.my_status_label = status_label(session.my_status) if getattr(session, "my_status", None) else ""
    session.holds_place = getattr(session, "my_status", None) in ACTIVE_REGISTRATION
    return session


def _list_page(request, *, feed_url: str = "", status: int = 200):
    page = Paginator(learner_selectors.upcoming_sessions(actor=request.user), PER_PAGE).get_page(
        request.GET.get("page"))
    for session in page.object_list:
        _with_seats(session)
    return render(request, "courses/pages/workshops.html", {
        "nav": "workshops", "page": page, "zone": learner_selectors.viewer_timezone(request.user),
        "feed_active": learner_selectors.calendar_feed_active(user=request.user), "feed_url": feed_url,
    }, status=status)


@login_required
@require_GET
def workshop_list(request):
    return _list_page(request)


def _session_page(request, session: WorkshopSession, *, error: str = "", status: int = 200):
    user = request.user
    _with_seats(session)
    registration = learner_selectors.own_registration(user=user, session=session)
    placed = registration is not None and registration.status in ACTIVE_REGISTRATION
    course = session.workshop.activity.course
    enrollment = selectors.user_enrollment(user=user, course=course)
    enrolled = enrollment is not None and enrollment.status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)
    refusal = None if placed else services.registration_refusal(session=session)
    now = timezone.now()
    started = session.starts_at is not None and session.starts_at <= now
    cutoff_passed = (session.starts_at is not None and registration is not None
                     and registration.status == Registration.Status.BOOKED
                     and session.starts_at - timedelta(hours=session.cancellation_cutoff_hours) <= now)
    instructors = list(session.instructors.all())
    teaches = any(person.pk == user.pk for person in instructors)
    return render(request, "courses/pages/workshop_session.html", {
        "nav": "workshops", "session": session, "course": course, "parts": list(session.parts.all()),
        "instructors": instructors, "zone": learner_selectors.viewer_timezone(user),
        "registration": registration, "placed": placed, "started": started,
        "can_cancel": placed and not started and not cutoff_passed,
        "status_label": status_label(registration.status) if registration else "",
        "enrolled": enrolled, "refusal": _explain(refusal, session) if refusal else "",
        "can_register": not placed and refusal is None and enrolled,
        "show_online_link": bool(session.online_url) and (teaches or (placed and registration.status
                                                                      == Registration.Status.BOOKED)),
        "error": error,
    }, status=status)


@login_required
@require_GET
def session_page(request, session_id: int):
    return _session_page(request, workshop_reads.session_get(actor=request.user, session_id=session_id))


@login_required
@require_POST
def session_register(request, session_id: int):
    session = workshop_reads.session_get(actor=request.user, session_id=session_id)
    try:
        registration, created = services.registration_create(session=session, user=request.user)
    except ApplicationError as error:
        return _session_page(request, session, error=_explain(error, session), status=error.status_code)
    if not created:
        messages.info(request, pgettext(CONTEXT, "You are already registered for this session."))
    elif registration.status == Registration.Status.BOOKED:
        messages.success(request, pgettext(CONTEXT, "You are booked: your seat is confirmed."))
    elif registration.status == Registration.Status.WAITLISTED:
        messages.warning(request, pgettext(CONTEXT, "The session is full, so you are on the waitlist. "
                                           "You get the next free seat in order of arrival."))
    else:
        messages.info(request, pgettext(CONTEXT, "Your registration is waiting for approval."))
    return redirect("pages:workshop-session", session_id=session.pk)


@login_required
@require_POST
def session_cancel_registration(request, session_id: int):
    session = workshop_reads.session_get(actor=request.user, session_id=session_id)
    registration = learner_selectors.own_registration(user=request.user, session=session)
    if registration is None:
        error = pgettext(CONTEXT, "You have no place in this session to cancel.")
        return _session_page(request, session, error=error, status=409)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ApplicationError as error:
        return _session_page(request, session, error=_explain(error, session), status=error.status_code)
    messages.success(request, pgettext(CONTEXT, "Your registration is cancelled."))
    return redirect("pages:workshop-session", session_id=session.pk)


@login_required
@require_POST
def calendar_feed_create(request):
    """A new private feed address, shown once on the page that answers (never stored in a message)."""
    _token, raw = workshop_mail.calendar_feed_create(user=request.user)
    response = _list_page(request, feed_url=workshop_mail.calendar_feed_url(raw))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def calendar_feed_revoke(request):
    if workshop_mail.calendar_feed_revoke(user=request.user):
        messages.success(request, pgettext(CONTEXT, "Your calendar feed address no longer works."))
    return redirect("pages:workshops")
