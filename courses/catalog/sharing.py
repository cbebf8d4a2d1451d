"""Share links for a course or a certificate, built on the server so the text and URL are encoded once, correctly.

LinkedIn's "add to profile" for a certificate (a certification on the learner's profile) is
``courses.certificates.links.linkedin_add_url``."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings

from courses.catalog.models import Course


def course_url(course: Course) -> str:
    return f"{settings.SITE_URL}/courses/{quote(course.slug)}/"


def linkedin_share_url(url: str) -> str:
    return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})


def whatsapp_share_url(text: str, url: str) -> str:
    """wa.me with the message ``text`` followed by ``url`` (WhatsApp shows the address as a link)."""
    return "https://wa.me/?" + urlencode({"text": f"{text} {url}"})


def share_links(course: Course) -> dict[str, str]:
    url = course_url(course)
    return {
        "url": url,
        "linkedin": linkedin_share_url(url),
        "whatsapp": whatsapp_share_url(course.title, url),
        "x": "https://x.com/intent/post?" + urlencode({"text": course.title, "url": url}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        # mailto wants %20 for spaces (a '+' would stay a '+' in most mail programs).
        "email": "mailto:?" + urlencode({"subject": course.title, "body": url}, quote_via=quote),
    }
