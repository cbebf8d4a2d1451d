"""Which page shows an activity of each kind.

Every activity has one address, /courses/<slug>/activities/<id>/, so the course outline and the
next/previous links never need to know the kind. Lessons and workshops are drawn here; other apps
register their kinds in their AppConfig.ready (assessments: quiz, roleplay, survey), so courses never
imports them.
"""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# (request, course, activity, enrollment or None, player=the player's context or None) -> response.
# The page extends courses/pages/activity_base.html with ``player`` in its context (None: build it with
# courses.catalog.pages.player.activity_player).
ActivityPage = Callable[..., HttpResponse]

_pages: dict[str, ActivityPage] = {}


def register_activity_page(kind: str) -> Callable[[ActivityPage], ActivityPage]:
    def decorator(view: ActivityPage) -> ActivityPage:
        _pages[kind] = view
        return view

    return decorator


def activity_page_for(kind: str) -> ActivityPage | None:
    return _pages.get(kind)


def render_activity(request: HttpRequest, course, activity, enrollment, player: dict | None = None
                    ) -> HttpResponse | None:
    """The registered page's response, or None when no app draws this kind."""
    view = activity_page_for(activity.kind)
    return view(request, course, activity, enrollment, player=player) if view else None
