"""courses.catalog.sharing: share links encode the course URL (and title) once, correctly."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from courses.catalog import sharing
from courses.catalog.models import Course


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://learn.example.com"


def test_course_url(site):
    assert sharing.course_url(Course(slug="calm-voices")) == "https://learn.example.com/courses/calm-voices/"


def test_linkedin_and_whatsapp_encode_the_course_url(site):
    course = Course(slug="calm-voices", title="Calm voices & kind words: 101 #1?")
    links = sharing.share_links(course)
    url = "https://learn.example.com/courses/calm-voices/"
    assert links["url"] == url

    linkedin = urlsplit(links["linkedin"])
    assert (linkedin.scheme, linkedin.netloc, linkedin.path) == ("https", "www.linkedin.com",
                                                                 "/sharing/share-offsite/")
    assert links["linkedin"] == "https://www.linkedin.com/sharing/share-offsite/?url=" + quote(url, safe="")
    assert parse_qs(linkedin.query) == {"url": [url]}
    assert linkedin.fragment == ""

    whatsapp = urlsplit(links["whatsapp"])
    assert (whatsapp.netloc, whatsapp.path) == ("wa.me", "/")
    assert whatsapp.fragment == ""  # the title's '#' is encoded, not a fragment
    assert parse_qs(whatsapp.query) == {"text": [f"Calm voices & kind words: 101 #1? {url}"]}
    assert "&" not in whatsapp.query and "#" not in links["whatsapp"]
    assert quote(url, safe="") in links["whatsapp"]


def test_x_facebook_and_email_encode_the_title_and_url(site):
    course = Course(slug="calm-voices", title="Calm & kind #1?")
    links = sharing.share_links(course)
    url = "https://learn.example.com/courses/calm-voices/"
    x = urlsplit(links["x"])
    assert (x.netloc, x.path, x.fragment) == ("x.com", "/intent/post", "")
    assert parse_qs(x.query) == {"text": ["Calm & kind #1?"], "url": [url]}
    facebook = urlsplit(links["facebook"])
    assert (facebook.netloc, facebook.path) == ("www.facebook.com", "/sharer/sharer.php")
    assert parse_qs(facebook.query) == {"u": [url]}
    email = urlsplit(links["email"])
    assert email.scheme == "mailto" and email.fragment == "" and "+" not in email.query
    assert parse_qs(email.query) == {"subject": ["Calm & kind #1?"], "body": [url]}
