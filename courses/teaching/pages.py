"""The frame of every /teach/ page (`teach_page`) and the workspace's home."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.teaching import selectors
from courses.teaching.needs import needs_for
from courses.workshops.selectors import viewer_timezone
from lms.errors import Forbidden, NotFound

HOME_COURSES = 50
HOME_SESSIONS = 50


def teach_page(view: Callable) -> Callable:
    """Sign-in, then 403 for anyone who teaches nothing; a selector's NotFound is the 404 page and its Forbidden
    the 403 page, so every /teach/ view reads as its happy path."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.teaching_can_use(actor=request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
    return wrapped


@teach_page
@require_GET
def teach_home(request):
    courses = list(selectors.teaching_courses_summary(actor=request.user)[:HOME_COURSES])
    sessions = list(selectors.teaching_upcoming_sessions(actor=request.user)[:HOME_SESSIONS])
    return render(request, "courses/teach/home.html", {
        "nav": "teach", "teach_nav": "home", "courses": courses, "sessions": sessions,
        "needs": needs_for(request.user), "zone": viewer_timezone(request.user),
        "upcoming_days": selectors.UPCOMING_DAYS,
    })
