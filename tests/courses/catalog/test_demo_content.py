"""The demo catalog data (courses.demo_content) is complete, consistent and passes the content rules."""
from __future__ import annotations

import math

import pytest
from django.urls import reverse

from assessments.demo import QUIZZES
from courses.catalog import cover_images
from courses.catalog.lesson_content import (
    count_words,
    inspect_ebook,
    reading_minutes,
    render_markdown,
    validate_video_url,
    video_embed_url,
)
from courses.catalog.video_files import video_inspect
from courses.catalog.webvtt import captions_parse
from courses.demo_content import COURSES, DATA_DIR, EBOOKS, EMPATHY_SLUG_EN, EMPATHY_SLUG_PT, ebook_pdf, read_covers
from tests.courses.catalog.conftest import browser, main_html, portuguese


def pt_browser():
    return portuguese(browser())


COURSE_KEYS = {
    "slug", "language", "translation_of", "title", "summary", "description", "category", "tags",
    "hours_credited", "passing_score", "validity_months", "due_days", "modules",
}
SLUGS = {course["slug"] for course in COURSES}


def lessons(course: dict):
    for module in course["modules"]:
        yield from module["activities"]


def all_lessons():
    return [(course["slug"], activity) for course in COURSES for activity in lessons(course)]


def by_slug(slug: str) -> dict:
    return next(course for course in COURSES if course["slug"] == slug)


def test_every_course_has_the_agreed_shape():
    for course in COURSES:
        assert set(course) == COURSE_KEYS, course["slug"]
        assert course["language"] in {"en", "pt-BR"}
        assert course["modules"], course["slug"]
        for module in course["modules"]:
            assert module["title"] and module["activities"]
            for activity in module["activities"]:
                assert activity["kind"] == "lesson"
                assert activity["lesson"]["type"] in {"article", "video", "ebook"}
                assert isinstance(activity["required"], bool) and activity["weight"] >= 1


def test_slugs_are_unique():
    assert len(SLUGS) == len(COURSES)


def test_translations_point_at_an_existing_course_in_another_language():
    translations = [course for course in COURSES if course["translation_of"]]
    assert translations
    for course in translations:
        assert course["translation_of"] in SLUGS
        original = by_slug(course["translation_of"])
        assert original["translation_of"] is None
        assert original["language"] != course["language"]


def test_empathy_course_exists_in_english_and_portuguese_with_the_same_structure():
    english, portuguese = by_slug(EMPATHY_SLUG_EN), by_slug(EMPATHY_SLUG_PT)
    assert english["title"] == "The Power of Empathy in Customer Service"
    assert portuguese["language"] == "pt-BR" and portuguese["translation_of"] == EMPATHY_SLUG_EN
    assert len(english["modules"]) == len(portuguese["modules"]) == 3
    for en_module, pt_module in zip(english["modules"], portuguese["modules"], strict=True):
        en_shape = [(a["lesson"]["type"], a["required"]) for a in en_module["activities"]]
        pt_shape = [(a["lesson"]["type"], a["required"]) for a in pt_module["activities"]]
        assert en_shape == pt_shape
    kinds = {activity["lesson"]["type"] for activity in lessons(english)}
    assert kinds == {"article", "video", "ebook"}


@pytest.mark.parametrize("slug", [EMPATHY_SLUG_EN, EMPATHY_SLUG_PT])
def test_empathy_articles_are_full_lessons_with_a_quick_check(slug):
    articles = [a["lesson"]["body"] for a in lessons(by_slug(slug)) if a["lesson"]["type"] == "article"]
    assert len(articles) == 3
    for body in articles:
        assert 300 <= count_words(body) <= 700
        assert "### Quick check" in body or "### Verificação rápida" in body


# Off-topic on purpose: the catalog is not single-topic.
NEIGHBOURS = {"ohms-law-foundations", "pao-de-fermentacao-natural"}
EMPATHY_PAIR = {EMPATHY_SLUG_EN, EMPATHY_SLUG_PT}
SERVICE = [course for course in COURSES if course["slug"] not in NEIGHBOURS]


def test_the_catalog_is_customer_service_but_for_two_neighbours():
    assert NEIGHBOURS <= SLUGS
    assert len(SERVICE) >= 6 and len(COURSES) == len(SERVICE) + 2
    assert all(course["category"] == "customer-service" and "empathy" in course["tags"] for course in SERVICE)
    assert {course["category"] for course in COURSES if course["slug"] in NEIGHBOURS}.isdisjoint({"customer-service"})
    # creation order: the customer-service courses, each original before its translation, then the neighbours
    order = [course["slug"] for course in COURSES]
    assert set(order[-2:]) == NEIGHBOURS
    for course in COURSES:
        if course["translation_of"]:
            assert order.index(course["translation_of"]) < order.index(course["slug"])


def shape(course: dict) -> list:
    return [[(a["lesson"]["type"], a["required"]) for a in module["activities"]] for module in course["modules"]]


def test_every_english_empathy_course_has_a_portuguese_adaptation_of_the_same_shape():
    originals = [course for course in SERVICE if course["language"] == "en"]
    assert len(originals) >= 4
    for original in originals:
        adaptations = [course for course in COURSES if course["translation_of"] == original["slug"]]
        assert [course["language"] for course in adaptations] == ["pt-BR"], original["slug"]
        adaptation = adaptations[0]
        assert adaptation["category"] == original["category"] and set(adaptation["tags"]) == set(original["tags"])
        assert shape(original) == shape(adaptation)
        assert QUIZZES[original["slug"]] and len(QUIZZES[original["slug"]]) == len(QUIZZES[adaptation["slug"]])


@pytest.mark.parametrize("slug", sorted(course["slug"] for course in SERVICE if course["slug"] not in EMPATHY_PAIR))
def test_the_short_service_courses_are_full_lessons_with_one_quiz(slug):
    course = by_slug(slug)
    assert 2 <= len(course["modules"]) <= 3
    articles = [a["lesson"]["body"] for a in lessons(course) if a["lesson"]["type"] == "article"]
    assert 3 <= len(articles) + len(QUIZZES[slug]) <= 5
    for body in articles:
        assert 350 <= count_words(body) <= 700
        assert "### Quick check" in body or "### Verificação rápida" in body
    assert any("> **" in body for body in articles)  # a dialogue snippet
    assert any("\n1. " in body for body in articles)  # a numbered checklist
    [(module, _, settings, questions)] = QUIZZES[slug]
    assert module == len(course["modules"]) - 1  # the quiz closes the course
    assert 5 <= len(questions) <= 6 and settings["estimated_minutes"] >= 5
    for question in questions:
        assert question["feedback"].strip()
        if question["kind"] != "short_text":
            assert sum(choice["correct"] for choice in question["choices"]) >= 1
            assert any(not choice["correct"] for choice in question["choices"])  # distractors


def content_minutes(course: dict) -> int:
    """What completing the course takes: its required articles at the language's reading rate, its
    required videos and its quizzes (their estimated minutes)."""
    minutes = 0
    for activity in lessons(course):
        lesson = activity["lesson"]
        if not activity["required"]:
            continue
        if lesson["type"] == "article":
            minutes += reading_minutes(count_words(lesson["body"]), course["language"])
        elif lesson["type"] == "video" and "video_media" in lesson:
            with (DATA_DIR / lesson["video_media"]).open("rb") as handle:
                minutes += math.ceil(video_inspect(handle, max_bytes=3 * 1024 * 1024).duration_seconds / 60)
        elif lesson["type"] == "video":
            minutes += math.ceil(lesson["duration_seconds"] / 60)
    return minutes + sum(settings["estimated_minutes"] for _, _, settings, _ in QUIZZES.get(course["slug"], []))


# hours_credited holds tenths of an hour; the credited length may differ from the content's by one tenth
# (6 minutes) or a tenth of the content's length, whichever is larger.
TOLERANCE_MINUTES = 6


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_the_credited_length_matches_the_content(slug):
    course = by_slug(slug)
    credited, needed = float(course["hours_credited"]) * 60, content_minutes(course)
    assert needed > 0
    assert abs(credited - needed) <= max(TOLERANCE_MINUTES, needed / 10), (slug, credited, needed)


@pytest.mark.parametrize(
    ("slug", "activity"), all_lessons(), ids=[f"{slug}:{activity['title']}" for slug, activity in all_lessons()]
)
def test_every_lesson_passes_the_content_rules(slug, activity):
    lesson = activity["lesson"]
    if lesson["type"] == "article":
        html = render_markdown(lesson["body"])
        assert html.startswith("<") and count_words(lesson["body"]) > 50
    elif lesson["type"] == "video" and "video_media" in lesson:
        with (DATA_DIR / lesson["video_media"]).open("rb") as handle:
            info = video_inspect(handle, max_bytes=3 * 1024 * 1024)  # small enough to commit
        assert 30 <= info.duration_seconds <= 90
        assert set(lesson["captions_media"]) == {"en", "pt-BR"}
        for path in lesson["captions_media"].values():
            cues = captions_parse((DATA_DIR / path).read_bytes())
            assert cues[-1].end <= info.duration_seconds + 1  # the captions follow the speech, within the video
        assert render_markdown(lesson["transcript"])
    elif lesson["type"] == "video":
        assert validate_video_url(lesson["url"]) == lesson["url"]
        assert lesson["duration_seconds"] > 0
        assert render_markdown(lesson["transcript"])
        if "youtube.com" in lesson["url"] or "vimeo.com" in lesson["url"]:
            assert video_embed_url(lesson["url"])
    else:
        assert lesson["ebook"] in EBOOKS


def test_every_description_renders():
    for course in COURSES:
        assert render_markdown(course["description"]).startswith("<p>")


@pytest.mark.parametrize("key", sorted(EBOOKS))
def test_every_ebook_builds_a_pdf_that_passes_inspection(key):
    data = ebook_pdf(key)
    info = inspect_ebook(data, max_bytes=5 * 1024 * 1024)
    assert info.kind == "pdf"
    assert 3 <= info.pages <= 6
    assert ebook_pdf(key) == data  # deterministic


def test_every_ebook_used_by_a_lesson_is_defined():
    used = {activity["lesson"]["ebook"] for _, activity in all_lessons() if activity["lesson"]["type"] == "ebook"}
    assert used == set(EBOOKS)


def test_every_data_file_is_used():
    """Each Markdown file in courses/demo_data is named by a course.yaml; no text is left behind."""
    from courses.demo_content import DATA_DIR, FILE_SUFFIX, _read_yaml

    def named(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith(FILE_SUFFIX):
                    yield item
                else:
                    yield from named(item)
        elif isinstance(value, list):
            for item in value:
                yield from named(item)

    used = set()
    for slug in _read_yaml(DATA_DIR / "catalog.yaml")["courses"]:
        used |= {DATA_DIR / slug / name for name in named(_read_yaml(DATA_DIR / slug / "course.yaml"))}
    assert set(DATA_DIR.rglob("*.md")) == used


def test_every_demo_cover_is_a_small_picture_the_upload_accepts():
    covers = read_covers()
    assert covers and set(covers) <= {course["slug"] for course in COURSES}
    for slug, cover in covers.items():
        assert len(cover["picture"]) < 16 * 1024, slug  # a few KB each, committed once
        assert cover["alt"].strip(), slug
        prepared = cover_images.cover_prepare(cover["picture"], max_bytes=1024 * 1024)
        assert [item.width for item in prepared.renditions if item.format == "webp"] == [320, 640, 960]


@pytest.mark.django_db
def test_each_course_page_links_to_its_other_language(settings, tmp_path):
    """Loaded as the demo loads them, every English empathy course's page links to its Portuguese
    adaptation near the top, and the adaptation's page (in the Portuguese interface) links back."""
    from courses.demo import _build_course  # the demo loader's own course builder

    settings.MEDIA_ROOT = tmp_path
    for spec in COURSES:
        _build_course(spec, None)
    for english in (course for course in SERVICE if course["language"] == "en"):
        portuguese = next(course for course in COURSES if course["translation_of"] == english["slug"])
        html = main_html(browser().get(reverse("pages:course", args=[english["slug"]])))
        meta = html[html.index('class="meta course-meta"'):html.index("</ul>", html.index('class="meta course-meta"'))]
        assert (f'<a href="/courses/{portuguese["slug"]}/" hreflang="pt-BR">Also in '
                '<span lang="pt-BR">Português (Brasil)</span></a>') in meta
        html = main_html(pt_browser().get(reverse("pages:course", args=[portuguese["slug"]])))
        assert (f'<a href="/courses/{english["slug"]}/" hreflang="en">Também em <span lang="en">English</span></a>'
                in html)
