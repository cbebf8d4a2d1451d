"""Authoring at /teach/courses/: the courses a person teaches."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.teaching import selectors as teaching
from courses.teaching.pages import teach_page


@teach_page
@require_GET
def teach_courses(request):
    return render(request, "courses/teach/courses.html", {
        "nav": "teach", "teach_nav": "courses", "courses": teaching.teaching_courses(actor=request.user),
    })
