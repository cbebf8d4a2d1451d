"""Share links for a course, built on the server so the text and URL are encoded once, correctly."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings

from courses.catalog.models import Course


def course_url(course: Course) -> str:
    return f"{settings.SITE_URL}/courses/{quote(course.slug)}/"


def share_links(course: Course) -> dict[str, str]:
    url = course_url(course)
    return {
        "url": url,
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{course.title} {url}"}),
        "x": "https://x.com/intent/post?" + urlencode({"text": course.title, "url": url}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        # mailto wants %20 for spaces (a '+' would stay a '+' in most mail programs).
        "email": "mailto:?" + urlencode({"subject": course.title, "body": url}, quote_via=quote),
    }
