"""The frame of every /teach/ page (`teach_page`) and the workspace's home."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.teaching import selectors
from courses.teaching.needs import needs_for
from courses.workshops.selectors import viewer_timezone
from lms.pages.workspace import workspace_page

HOME_COURSES = 50
HOME_SESSIONS = 50


teach_page = workspace_page(selectors.teaching_can_use)  # 403 for anyone who teaches nothing


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
