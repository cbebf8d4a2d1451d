"""Builders for the course page tests: signed-in browsers, a course with lessons, a small PDF."""
from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from courses.catalog.models import Activity
from courses.enrollments import services
from tests import factories as people
from tests.courses.factories import activities_of, build_course, words


def browser(user=None) -> Client:
    """A test browser, signed in as ``user`` when given."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def portuguese(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "pt-br"})
    return client


def main_html(response) -> str:
    """The page's <main> (so the header and footer do not make a test pass)."""
    html = response.content.decode()
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, html[:500]
    return match.group(0)


def make_pdf(pages: int = 2) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    for number in range(1, pages + 1):
        pdf.drawString(40, 500, f"Listening well, page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def lesson_course(**fields):
    """Two modules: an article and a video, then a quiz and an optional article."""
    return build_course(modules=2, activities=[
        {"title": "Noticing feelings", "lesson": {"content_type": "article", "body": "## Cues\n\n" + words(475)}},
        {"title": "A call replayed", "lesson": {"content_type": "video", "video_url": "https://youtu.be/abcdefghijk",
                                                "video_duration_seconds": 150, "transcript": "Hello, *caller*."}},
        {"title": "Check yourself", "kind": Activity.Kind.QUIZ, "module": 1},
        {"title": "Further reading", "required": False, "module": 1},
    ], **fields)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def course(db):
    return lesson_course(title="Listening Well", summary="Hear what customers mean.", language="en")


@pytest.fixture
def steps(course) -> list[Activity]:
    return activities_of(course)


@pytest.fixture
def learner(org):
    return people.member(org)


@pytest.fixture
def enrolled(course, learner):
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    return enrollment
