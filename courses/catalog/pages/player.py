"""The lesson player: what every activity page draws around its activity, whatever its kind.

The course outline beside the activity (modules, ticks, the current one marked), where it sits (breadcrumb),
previous and next, the learner's progress, and the one header rule. The lesson and workshop pages get it
from the activity page; other apps' pages (quiz, role-play, survey) get it through the registry, or build it
with ``activity_player`` when they draw a page of their own (a result, a form sent back with errors).
Every part comes from ``course_detail`` and the outline, so the queries do not grow with the course.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Activity, Course
from courses.catalog.pages.outline import Outline, course_outline
from courses.enrollments import selectors as enrollment_selectors

NAV_ENROLLED = "my-learning"
NAV_BROWSING = "catalog"


def course_nav(outline: Outline) -> str:
    """The main-nav item a course's pages highlight: My learning for a learner enrolled in it, else Catalog."""
    return NAV_ENROLLED if outline.enrollment is not None else NAV_BROWSING


def activity_in_course(request: HttpRequest, slug: str, activity_id: int) -> tuple[Course, Outline, int]:
    """(course, outline, index of the activity) for a visible course holding the activity; else 404."""
    course = catalog_selectors.course_detail(actor=request.user, slug=slug, covers=False)
    enrollment = enrollment_selectors.user_enrollment(user=request.user, course=course)
    outline = course_outline(course, enrollment)
    index = outline.index_of(activity_id)
    if index is None:
        raise Http404
    return course, outline, index


def player_context(course: Course, outline: Outline, index: int) -> dict[str, Any]:
    """The template context every activity page extends (courses/pages/activity_base.html)."""
    item = outline.items[index]
    previous, following = outline.neighbours(index)
    return {"nav": course_nav(outline), "course": course, "outline": outline, "item": item,
            "activity": item.activity, "module": item.module, "enrollment": outline.enrollment,
            "previous": previous, "following": following}


def activity_player(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    """The player around an activity for a page drawn away from the activity's address (a result, a form sent
    back). A caller who may read that page but no longer sees the course (archived since) gets the activity
    alone: no outline, no neighbours."""
    try:
        course, outline, index = activity_in_course(request, activity.course.slug, activity.pk)
    except Http404:
        return {"nav": NAV_ENROLLED, "course": activity.course, "outline": None, "item": None, "activity": activity,
                "module": activity.module, "enrollment": None, "previous": None, "following": None}
    return player_context(course, outline, index)
