"""Running workshops at /teach/workshops/: the sessions a person teaches or manages (upcoming first, then past),
a new workshop on one of their courses, and a new session of a workshop. Writes go through the services the API
and the admin use; a refusal re-renders the form with its errors (400, 409 for a conflict) and writes nothing."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from courses.teaching import selectors as teaching
from courses.teaching.pages import teach_page
from courses.workshops import selectors
from courses.workshops.pages.teach_forms import SessionForm, WorkshopForm, apply_error
from courses.workshops.services import authoring
from courses.workshops.services import sessions as workshop_sessions
from lms.errors import ApplicationError, Conflict

CONTEXT = "teach"


def error_status(error: ApplicationError) -> int:
    """A page's answer to a refusal: 409 when the state conflicts, else 400 (the input was wrong)."""
    return 409 if isinstance(error, Conflict) else 400


@teach_page
@require_GET
def teach_workshops(request):
    return render(request, "courses/teach/workshops.html", {
        "nav": "teach", "teach_nav": "workshops",
        "upcoming": selectors.teach_sessions(actor=request.user, upcoming=True),
        "past": selectors.teach_sessions(actor=request.user, upcoming=False),
        "workshops": selectors.teach_workshops(actor=request.user),
        "zone": selectors.viewer_timezone(request.user),
    })


@teach_page
@require_http_methods(["GET", "POST"])
def teach_workshop_new(request):
    courses = list(teaching.teaching_courses(actor=request.user)[:200])
    form = WorkshopForm(request.POST or None, courses=courses)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            course = next(course for course in courses if course.slug == form.cleaned_data["course"])
            fields = {name: form.cleaned_data[name] for name in ("title", "description", "required",
                                                                  "requires_approval")}
            try:
                workshop = authoring.workshop_create_in_course(course=course, **fields)
            except ApplicationError as error:
                apply_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, pgettext(CONTEXT, "The workshop is created. Add its first session."))
                return redirect("pages:teach-session-new", workshop_id=workshop.pk)
    return render(request, "courses/teach/workshops_new.html", {
        "nav": "teach", "teach_nav": "workshops", "form": form, "has_courses": bool(courses)}, status=status)


@teach_page
@require_http_methods(["GET", "POST"])
def teach_session_new(request, workshop_id: int):
    workshop = selectors.access_workshop_teach(actor=request.user, workshop_id=workshop_id)
    people = selectors.organization_people(course=workshop.activity.course)
    # A workshop made on /teach/workshops/new/ has no instructors of its own: the person scheduling the session is
    # then ticked, or nobody could take its attendance (only a session's instructors mark it).
    instructors = [person.pk for person in workshop.instructors.all()] or [request.user.pk]
    initial = {"timezone": selectors.viewer_timezone(request.user).key, "capacity": 12, "waitlist_enabled": True,
               "cancellation_cutoff_hours": 24, "instructors": instructors}
    form = SessionForm(request.POST or None, people=people, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                session = workshop_sessions.session_create(workshop=workshop, **form.service_fields())
            except ApplicationError as error:
                apply_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, pgettext(CONTEXT, "The session is scheduled."))
                return redirect("pages:teach-session", session_id=session.pk)
    return render(request, "courses/teach/workshops_session_new.html", {
        "nav": "teach", "teach_nav": "workshops", "form": form, "workshop": workshop}, status=status)
