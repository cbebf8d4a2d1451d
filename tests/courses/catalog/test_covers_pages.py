"""Covers on the catalog cards, the course page and the API list: <picture> markup, alt text, and query
counts that stay the same with 10 and 100 courses that have covers."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.catalog.models import Course, CourseCoverRendition
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import CourseFactory

CATALOG = reverse("pages:catalog")
pytestmark = pytest.mark.django_db


def with_covers(count: int, start: int = 0) -> list[Course]:
    """Courses whose cover rows exist (the files are not read by lists: only the cover views open them)."""
    courses = [CourseFactory(slug=f"c-{n:03d}", title=f"Course {n:03d}", cover_alt=f"Picture of course {n}",
                             cover_image=f"courses/covers/c-{n}.jpeg") for n in range(start, start + count)]
    CourseCoverRendition.objects.bulk_create(
        CourseCoverRendition(course=course, format=fmt, width=width, height=width * 9 // 16,
                             file=f"courses/covers/sizes/c-{course.pk}-{width}.{fmt}")
        for course in courses for fmt in ("webp", "jpeg") for width in (320, 640, 960))
    return courses


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_catalog_cards_show_the_cover_as_a_picture():
    course = with_covers(1)[0]
    html = main_html(browser().get(CATALOG))
    picture = re.search(r"<picture\b.*?</picture>", html, re.S).group(0)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', picture)
    assert webp and webp.group(1).count("w, ") == 2 and "960w" in webp.group(1)
    assert f"/courses/{course.slug}/covers/" in webp.group(1)
    img = re.search(r"<img [^>]+>", picture).group(0)
    assert 'width="960" height="540"' in img and 'loading="lazy"' in img
    assert 'alt="Picture of course 0"' in img and ".jpeg 320w" in img and "sizes=" in img


def test_a_card_without_a_picture_shows_the_generated_cover_with_empty_alt():
    CourseFactory(slug="plain", title="Plain course")
    img = re.search(r"<picture\b.*?(<img [^>]+>)", main_html(browser().get(CATALOG)), re.S).group(1)
    assert "/courses/plain/cover.svg?v=" in img and 'alt=""' in img and "srcset" not in img
    assert 'width="960" height="540"' in img


def test_the_course_page_shows_the_cover_without_lazy_loading():
    course = with_covers(1)[0]
    html = main_html(browser().get(reverse("pages:course", args=[course.slug])))
    img = re.search(r'<picture class="cover course-cover">.*?(<img [^>]+>)', html, re.S).group(1)
    assert 'alt="Picture of course 0"' in img and "loading" not in img


def test_covers_show_in_portuguese_too():
    with_covers(1)
    html = main_html(portuguese(browser()).get(CATALOG))
    assert 'alt="Picture of course 0"' in html  # the course's own words, as written


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_catalog_page_query_count_is_the_same_for_10_and_100_covers(org, who):
    client = browser(people.member(org) if who == "learner" else None)
    with_covers(10)
    small = _queries(client, CATALOG)
    with_covers(90, start=10)
    assert _queries(client, CATALOG) == small


def test_api_list_query_count_is_the_same_for_10_and_100_covers(client_for, org):
    client = client_for(people.member(org))
    with_covers(10)
    client.get("/api/v1/courses/")  # the first call of a key also records when it was last used
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/api/v1/courses/?page_size=100").json()
    small = len(captured)
    assert len(first["results"]) == 10 and all(len(row["cover"]["webp"]) == 3 for row in first["results"])
    with_covers(90, start=10)
    with CaptureQueriesContext(connection) as captured:
        rows = client.get("/api/v1/courses/?page_size=100").json()["results"]
    assert len(rows) == 100 and len(captured) == small
    assert rows[42]["cover"]["alt"] == "Picture of course 42"
