"""The project's URLs with a minimal activity address in front of the courses app's one.

The assessments pages are drawn at /courses/<slug>/activities/<id>/ through the courses registry
(``courses.catalog.pages.activities.render_activity``). These tests exercise that hand-over directly, so
they do not depend on how the courses app's lesson page treats other kinds: the course must be
visible to the caller and the activity part of it, else 404, and the page gets the lesson player's context
(courses.catalog.pages.player), exactly the registry's contract.
"""
from django.http import Http404
from django.urls import path

from courses.catalog.pages.activities import render_activity
from courses.catalog.pages.player import activity_in_course, player_context
from lms import urls as project_urls


def activity_page(request, slug, activity_id):
    course, outline, index = activity_in_course(request, slug, activity_id)
    activity = outline.items[index].activity
    response = render_activity(request, course, activity, outline.enrollment,
                               player=player_context(course, outline, index))
    if response is None:
        raise Http404
    return response


def _with_activity_page(patterns):
    rewritten = []
    for pattern in patterns:
        if getattr(pattern, "name", None) == "activity":
            pattern = path("courses/<slug:slug>/activities/<int:activity_id>/", activity_page, name="activity")
        rewritten.append(pattern)
    return rewritten


urlpatterns = []
for entry in project_urls.urlpatterns:
    namespace = getattr(entry, "namespace", None)
    if namespace == "pages":
        from django.urls import include

        entry = path("", include((_with_activity_page(entry.url_patterns), "pages"), namespace="pages"))
    urlpatterns.append(entry)

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
