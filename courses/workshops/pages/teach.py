"""Running workshops at /teach/workshops/: the sessions a person teaches or manages."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.teaching.pages import teach_page
from courses.workshops import selectors


@teach_page
@require_GET
def teach_workshops(request):
    taught = selectors.sessions_taught_by_q(request.user.pk)
    sessions = selectors.sessions_visible_to(actor=request.user).filter(taught).order_by("starts_at")[:100]
    return render(request, "courses/teach/workshops.html", {
        "nav": "teach", "teach_nav": "workshops", "sessions": sessions,
        "zone": selectors.viewer_timezone(request.user),
    })
