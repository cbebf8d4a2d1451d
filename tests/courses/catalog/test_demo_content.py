"""The demo catalog data (courses.demo_content) is complete, consistent and passes the content rules."""
from __future__ import annotations

import pytest

from courses.catalog import cover_images
from courses.catalog.lesson_content import (
    count_words,
    inspect_ebook,
    render_markdown,
    validate_video_url,
    video_embed_url,
)
from courses.catalog.video_files import video_inspect
from courses.catalog.webvtt import captions_parse
from courses.demo_content import COURSES, DATA_DIR, EBOOKS, EMPATHY_SLUG_EN, EMPATHY_SLUG_PT, ebook_pdf, read_covers

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


def test_other_courses_give_the_catalog_variety():
    others = [course for course in COURSES if course["slug"] not in {EMPATHY_SLUG_EN, EMPATHY_SLUG_PT}]
    assert 4 <= len(others) <= 6
    assert {"food", "electronics"} <= {course["category"] for course in others}
    assert any(course["language"] == "pt-BR" for course in others)
    for course in others:
        assert 1 <= len(course["modules"]) <= 2
        assert 2 <= sum(1 for _ in lessons(course)) <= 4
        # related courses are found by shared tags
        assert any(set(course["tags"]) & set(other["tags"]) for other in COURSES if other is not course)


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
