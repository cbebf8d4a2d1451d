"""Catalog search (courses/catalog/search_index.py) on the database the suite runs on, PostgreSQL or
SQLite: words in lesson text are found, accents and word forms do not matter, every word must match,
a title match ranks above a lesson-text match, the index follows every edit, and no search text breaks
the query."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.catalog import search_index
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Lesson
from courses.catalog.selectors import course_catalog, courses_filter
from courses.catalog.services import video as video_services
from tests import factories as people
from tests.courses.factories import CourseFactory, TagFactory, build_course

pytestmark = pytest.mark.django_db


def _search(text: str) -> list[str]:
    return [course.slug for course in courses_filter(course_catalog(actor=people.UserFactory()), search=text)]


@pytest.fixture
def catalog():
    build_course(slug="listening", title="Listening to upset customers", summary="Hear what they need.",
                 activities=[{"title": "Start here", "lesson": {
                     "content_type": "article", "body": "Paraphrasing shows the customer you heard them."}}])
    build_course(slug="escuta", title="Escuta ativa", language="pt-BR", summary="Ouvir antes de responder.",
                 activities=[{"title": "Comece aqui", "lesson": {
                     "content_type": "article", "body": "A empatia começa quando a atendente reformula a queixa."}}])
    build_course(slug="phone", title="Handling complaints by phone", summary="Tone and pace.",
                 activities=[{"title": "Video", "lesson": {
                     "content_type": "video", "video_url": "https://www.youtube.com/watch?v=aaaaaaaaaaa",
                     "video_duration_seconds": 60, "transcript": "Never interrupt an angry caller."}}])


def test_a_word_found_only_in_lesson_text_finds_its_course(catalog):
    assert _search("paraphrasing") == ["listening"]
    assert _search("interrupt") == ["phone"]  # a video transcript is lesson text too


def test_accents_do_not_matter_either_way(catalog):
    assert _search("começa") == ["escuta"]
    assert _search("comeca") == ["escuta"]
    assert _search("QUEIXA") == ["escuta"]
    assert _search("ativa") == _search("átiva") == ["escuta"]


def test_word_forms_and_prefixes_match(catalog):
    assert _search("listen") == ["listening"]  # the stem of the title's "Listening"
    assert _search("complaint") == ["phone"]  # singular finds the plural
    assert _search("paraphr") == ["listening"]  # a prefix, as typed so far


def test_every_word_must_match(catalog):
    assert _search("angry caller") == ["phone"]
    assert _search("angry paraphrasing") == []


def test_a_title_match_ranks_above_a_summary_description_and_lesson_match():
    build_course(slug="lesson-only", title="Basics", activities=[{"lesson": {
        "content_type": "article", "body": "Apologising well is a skill."}}])
    build_course(slug="description", title="Words", description="Apologising without excuses.",
                 activities=[{"title": "Read"}])
    build_course(slug="summary", title="Calm", summary="Apologising sincerely.", activities=[{"title": "Read"}])
    build_course(slug="title", title="Apologising to customers", activities=[{"title": "Read"}])
    assert _search("apologising") == ["title", "summary", "description", "lesson-only"]


def test_the_index_follows_every_edit():
    course = build_course(slug="edited", title="First title", activities=[{"lesson": {
        "content_type": "article", "body": "Original wording."}}])
    lesson = Lesson.objects.get(activity__course=course)
    catalog_services.lesson_update(lesson=lesson, body="Rewritten with reassurance.")
    assert _search("original") == [] and _search("reassurance") == ["edited"]
    catalog_services.course_update(course=course, title="Second title", tags=["de-escalation"])
    assert _search("first") == [] and _search("second") == ["edited"] and _search("escalation") == ["edited"]
    module = catalog_services.module_create(course=course, title="Closing the call")
    assert _search("closing") == ["edited"]
    catalog_services.activity_create(module=module, title="Goodbye script", kind=Activity.Kind.QUIZ)
    assert _search("goodbye") == ["edited"]


def test_drafts_and_other_organizations_courses_stay_hidden(org):
    build_course(slug="draft", title="Empathy draft", publish=False)
    build_course(slug="private", title="Empathy private", organization=org, activities=[{"title": "Read"}])
    build_course(slug="public", title="Empathy public", activities=[{"title": "Read"}])
    assert _search("empathy") == ["public"]


@pytest.mark.parametrize("text", ['"', 'a" OR "b', "NEAR(a b)", "*", "title:calm", "-calm", "a AND", "(((",
                                  "'; DROP TABLE courses_course; --", "ç" * 500, "\x00", "🙂", "&|!:*"])
def test_no_search_text_breaks_the_query(catalog, text):
    _search(text)  # raises on a syntax error from either database
    assert _search("paraphrasing " + text) in ([], ["listening"])


def test_a_search_of_only_punctuation_finds_nothing(catalog):
    assert search_index.search_words("?! ...") == []
    assert _search("?! ...") == []


def test_searching_costs_a_constant_number_of_queries():
    for n in range(3):
        CourseFactory(title=f"Empathy {n}", tags=[TagFactory()])
    user = people.UserFactory()
    list(courses_filter(course_catalog(actor=user), search="empathy"))  # the caller's memberships, cached
    with CaptureQueriesContext(connection) as few:
        assert len(list(courses_filter(course_catalog(actor=user), search="empathy"))) == 3
    for n in range(3, 30):
        CourseFactory(title=f"Empathy {n}", tags=[TagFactory()])
    with CaptureQueriesContext(connection) as many:
        found = list(courses_filter(course_catalog(actor=user), search="empathy"))
    assert len(found) == 30 and len(many) == len(few)


def test_the_api_ranks_a_search_unless_an_ordering_is_asked_for(client_for, org):
    build_course(slug="b-lesson", title="Basics", activities=[{"lesson": {
        "content_type": "article", "body": "Warmth matters."}}])
    build_course(slug="a-title", title="Zeal and warmth", activities=[{"title": "Read"}])
    client = client_for(people.member(org))
    ranked = client.get("/api/v1/courses/", {"search": "warmth"}).json()["results"]
    assert [row["slug"] for row in ranked] == ["a-title", "b-lesson"]
    by_title = client.get("/api/v1/courses/", {"search": "warmth", "ordering": "title"}).json()["results"]
    assert [row["slug"] for row in by_title] == ["b-lesson", "a-title"]


def test_caption_words_are_searched_and_leave_with_their_track(catalog):
    lesson = Lesson.objects.get(activity__course__slug="phone")
    video_services.lesson_caption_set(lesson=lesson, language="pt-BR",
                                      data=b"WEBVTT\n\n00:01.000 --> 00:03.000\nRespire fundo antes de responder.\n")
    assert _search("respire") == ["phone"]
    video_services.lesson_caption_remove(lesson=lesson, language="pt-BR")
    assert _search("respire") == []


def test_what_a_reader_sees_is_searched_not_markup_or_picture_names():
    build_course(slug="pictured", title="Pictures", activities=[{"title": "Read", "lesson": {
        "content_type": "article",
        "body": "Look at ![two replies](image:zebrafigure) and [the guide](https://example.com/quokkalink)."}}])
    assert _search("look") == ["pictured"] and _search("guide") == ["pictured"]
    assert _search("zebrafigure") == [] and _search("quokkalink") == []
