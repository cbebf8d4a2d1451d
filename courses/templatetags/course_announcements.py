"""The small "Announcements" block on a learner's pages: the latest ones addressed to them (of one course on
the course page, of every course in My learning). Nothing is drawn when there is none."""
from __future__ import annotations

from typing import Any

from django import template

from courses.announcements.selectors import announcements_received

register = template.Library()

SHOWN = 3


@register.inclusion_tag("courses/pages/_announcements.html", takes_context=True)
def latest_announcements(context: dict[str, Any], course: Any = None, enrolled: bool = True) -> dict[str, Any]:
    """``enrolled`` false (a visitor of a course page who never enrolled) skips the query: nothing was sent them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    received = list(announcements_received(user=user, course=course)[:SHOWN]) if user and enrolled else []
    return {"announcements": received, "per_course": course is None}
