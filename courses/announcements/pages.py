"""The announcement pages of the instructor's workspace: a course's (/teach/courses/<slug>/announcements/) and a
session's (/teach/workshops/sessions/<id>/announcements/), each the list of what was said and a form to say more."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from courses.announcements import selectors, services
from courses.announcements.models import MAX_BODY, MAX_SUBJECT
from courses.teaching.pages import teach_page
from courses.workshops.selectors import viewer_timezone
from lms.errors import ApplicationError
from lms.pages.forms import AccessibleFormMixin

LISTED = 50


class AnnouncementForm(AccessibleFormMixin, forms.Form):
    subject = forms.CharField(label=pgettext_lazy("teach", "Subject"), max_length=MAX_SUBJECT)
    body = forms.CharField(label=pgettext_lazy("teach", "Message"), max_length=MAX_BODY,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=pgettext_lazy(
                               "teach", "Plain text. Each learner gets it once by email and sees it on their pages."))


def _render(request, form: AnnouncementForm, context: dict[str, Any], announcements, *, status: int = 200):
    return render(request, "courses/teach/announcements.html", {
        "nav": "teach", "form": form, "announcements": list(announcements[:LISTED]),
        "zone": viewer_timezone(request.user), **context}, status=status)


def _announce(request, form: AnnouncementForm, context: dict[str, Any], announcements, back: str, **target):
    """Validate, announce through the service, and answer: 400 with the errors on their fields, the
    service's refusal with its status, or back to the list."""
    if not form.is_valid():
        return _render(request, form, context, announcements, status=400)
    try:
        announcement, created = services.announcement_create(author=request.user, **target, **form.cleaned_data)
    except ApplicationError as error:
        for field, problems in error.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        if not error.fields:
            form.add_error(None, error.message)
        return _render(request, form, context, announcements, status=error.status_code)
    if created:
        messages.success(request, pgettext("teach", "Announcement sent to %(count)s learners.")
                         % {"count": selectors.announcement_recipient_count(announcement=announcement)})
    else:
        messages.info(request, pgettext("teach", "You sent this announcement already; nobody gets it twice."))
    return redirect(back)


@teach_page
@require_http_methods(["GET", "POST"])
def teach_course_announcements(request, slug: str):
    course = selectors.access_course_announce(actor=request.user, slug=slug)
    context = {"teach_nav": "courses", "course": course, "session": None,
               "recipients": selectors.recipient_count(course=course)}
    announcements = selectors.course_announcements(course=course)
    if request.method == "POST":
        back = reverse("pages:teach-course-announcements", args=[course.slug])
        return _announce(request, AnnouncementForm(request.POST), context, announcements, back, course=course)
    return _render(request, AnnouncementForm(), context, announcements)


@teach_page
@require_http_methods(["GET", "POST"])
def teach_session_announcements(request, session_id: int):
    session = selectors.access_session_announce(actor=request.user, session_id=session_id)
    context = {"teach_nav": "workshops", "course": session.workshop.activity.course, "session": session,
               "recipients": selectors.recipient_count(session=session)}
    announcements = selectors.session_announcements(session=session)
    if request.method == "POST":
        back = reverse("pages:teach-session-announcements", args=[session.pk])
        return _announce(request, AnnouncementForm(request.POST), context, announcements, back, session=session)
    return _render(request, AnnouncementForm(), context, announcements)
