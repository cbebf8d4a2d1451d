"""Authoring at /teach/courses/: the courses a person teaches, a course's fields, its structure (modules and
activities), publishing and archiving. Every write goes through the catalog's services, as the API's do."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.catalog import selectors
from courses.catalog.pages.authoring.course import teach_course_edit, teach_course_new
from courses.catalog.pages.authoring.structure import (
    teach_activity_add,
    teach_activity_delete,
    teach_activity_order,
    teach_activity_settings,
    teach_course,
    teach_course_archive,
    teach_course_publish,
    teach_module_add,
    teach_module_delete,
    teach_module_edit,
    teach_module_order,
)
from courses.teaching.pages import teach_page

__all__ = [
    "teach_activity_add", "teach_activity_delete", "teach_activity_order", "teach_activity_settings", "teach_course",
    "teach_course_archive", "teach_course_edit", "teach_course_new", "teach_course_publish", "teach_courses",
    "teach_module_add", "teach_module_delete", "teach_module_edit", "teach_module_order",
]


@teach_page
@require_GET
def teach_courses(request):
    return render(request, "courses/teach/courses.html", {
        "nav": "teach", "teach_nav": "courses", "courses": list(selectors.courses_authored(actor=request.user)),
        "can_create": selectors.course_can_create(actor=request.user),
    })
