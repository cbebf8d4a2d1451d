"""The small "Announcements" block on a learner's pages: the latest ones addressed to them (of one course on
the course page, of every course in My learning). Nothing is drawn when there is none."""
from __future__ import annotations

from typing import Any

from django import template

from courses.announcements.selectors import announcements_received

register = template.Library()

SHOWN = 3


@register.inclusion_tag("courses/pages/_announcements.html", takes_context=True)
def latest_announcements(context: dict[str, Any], course: Any = None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    received = list(announcements_received(user=user, course=course)[:SHOWN]) if user else []
    return {"announcements": received, "per_course": course is None}
