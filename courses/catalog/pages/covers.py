"""Course covers: the stored sizes of an uploaded picture and the generated SVG, for whoever may see the course.

Both check the caller through the catalog's selectors (a course the caller cannot see answers 404, its
cover too). A rendition's address names its row, which a new upload replaces, so the answer may be kept:
by anyone's cache for a course of the public catalog, by the caller's browser only otherwise.
"""
from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from courses.catalog import covers
from courses.catalog import selectors as catalog_selectors
from lms.files import file_response

PUBLIC_CACHE = "public, max-age=86400"
PRIVATE_CACHE = "private, max-age=3600"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _cache_control(course) -> str:
    return PUBLIC_CACHE if catalog_selectors.course_is_public(course) else PRIVATE_CACHE


@require_GET
def course_cover(request, slug: str, rendition_id: int, format: str):
    rendition = catalog_selectors.course_cover_rendition(actor=request.user, slug=slug, rendition_id=rendition_id,
                                                         format=format)
    return file_response(rendition.file, content_type=f"image/{rendition.format}",
                         cache_control=_cache_control(rendition.course))


@require_GET
def course_cover_generated(request, slug: str):
    course = catalog_selectors.course_get(actor=request.user, slug=slug)
    response = HttpResponse(covers.generated_svg(course), content_type="image/svg+xml")
    response["Cache-Control"] = _cache_control(course)
    response["Content-Security-Policy"] = SVG_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response
