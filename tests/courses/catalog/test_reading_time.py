"""Reading time per course language: the rates, how they were derived, and what learners see."""
from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
from django.apps import apps

from courses.catalog import lesson_content as content
from courses.catalog import services
from courses.catalog.lesson_content import READING_WORDS_PER_MINUTE, reading_minutes, words_per_minute
from courses.catalog.models import Course, Lesson
from courses.demo_content import COURSES
from courses.enrollments import services as enrollment_services
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html
from tests.courses.factories import activities_of, build_course, words

EN, PT = 238, 229
# The parallel texts the Portuguese rate was derived from (lesson_content.py says how).
PARALLEL = [("power-of-empathy-customer-service", "poder-da-empatia-no-atendimento"),
            ("calm-replies-email-chat", "respostas-serenas-email-e-chat"),
            ("empathy-for-team-leads", "empatia-para-lideres-de-equipe"),
            ("complaints-by-phone", "reclamacoes-por-telefone")]


def test_each_language_has_its_stated_rate():
    assert READING_WORDS_PER_MINUTE == {"en": EN, "pt": PT}
    assert (words_per_minute("en"), words_per_minute("en-GB"), words_per_minute("pt-BR"), words_per_minute("pt")) \
        == (EN, EN, PT, PT)
    assert words_per_minute("fr") == EN  # no figure: the English one
    assert content.WORDS_PER_MINUTE == EN


def test_the_same_word_count_reads_longer_in_portuguese_by_the_stated_ratio():
    both = EN * PT  # a whole number of minutes in each language
    assert Fraction(reading_minutes(both, "pt-BR"), reading_minutes(both, "en")) == Fraction(EN, PT)
    assert (reading_minutes(2380, "en"), reading_minutes(2380, "pt-BR")) == (10, 11)
    for count in range(0, 5000, 37):
        assert reading_minutes(count, "pt-BR") >= reading_minutes(count, "en")


def _letters_and_words(slugs) -> tuple[int, int]:
    letters = count = 0
    for course in (course for course in COURSES if course["slug"] in slugs):
        for module in course["modules"]:
            for activity in module["activities"]:
                if activity["lesson"]["type"] != "article":
                    continue
                for text in content._visible_text(content._markdown.parse(activity["lesson"]["body"])):
                    for chunk in text.split():
                        if content._URL_LIKE.match(chunk):
                            continue
                        for word in content._WORD.findall(chunk):
                            count += 1
                            letters += sum(char.isalpha() for char in word)
    return letters, count


def test_the_portuguese_rate_is_the_english_one_in_letters_per_minute():
    """The derivation in lesson_content.py, measured again on the same texts."""
    en_letters, en_words = _letters_and_words({english for english, _ in PARALLEL})
    pt_letters, pt_words = _letters_and_words({portuguese for _, portuguese in PARALLEL})
    assert en_words > 5000 and pt_words > 5000
    en_length, pt_length = en_letters / en_words, pt_letters / pt_words
    assert (round(en_length, 2), round(pt_length, 2)) == (4.47, 4.64)
    assert round(EN * en_length / pt_length) == PT


@pytest.mark.django_db
def test_services_store_the_course_languages_reading_time():
    body = words(2380)
    english = build_course(language="en", activities=[{"lesson": {"content_type": "article", "body": body}}])
    portuguese = build_course(language="pt-BR", activities=[{"lesson": {"content_type": "article", "body": body}}])
    assert Lesson.objects.get(activity__course=english).reading_minutes == 10
    assert Lesson.objects.get(activity__course=portuguese).reading_minutes == 11
    assert Course.objects.get(pk=portuguese.pk).estimated_minutes == 11

    # An edit recomputes at the course's rate; a change of language recomputes every article.
    lesson = Lesson.objects.get(activity__course=english)
    services.lesson_update(lesson=lesson, body=words(EN * 3 + 1))
    assert Lesson.objects.get(pk=lesson.pk).reading_minutes == 4
    services.lesson_update(lesson=Lesson.objects.get(pk=lesson.pk), body=body)
    assert Lesson.objects.get(pk=lesson.pk).reading_minutes == 10
    services.course_update(course=Course.objects.get(pk=english.pk), language="pt-BR")
    assert Lesson.objects.get(pk=lesson.pk).reading_minutes == 11
    assert activities_of(english)[0].estimated_minutes == 11
    assert Course.objects.get(pk=english.pk).estimated_minutes == 11


@pytest.mark.django_db
def test_the_course_estimate_counts_required_activities_only():
    course = build_course(activities=[
        {"lesson": {"content_type": "article", "body": words(EN * 2)}},
        {"kind": "quiz", "estimated_minutes": 5},
        {"kind": "workshop", "estimated_minutes": 180, "required": False},
    ])
    assert Course.objects.get(pk=course.pk).estimated_minutes == 2 + 5


@pytest.mark.django_db
def test_lesson_page_and_api_show_the_portuguese_figure(org, client_for):
    course = build_course(language="pt-BR", organization=None, activities=[
        {"title": "Escuta", "lesson": {"content_type": "article", "body": words(2380, "escutar")}}])
    learner = people.member(org)
    enrollment_services.enrollment_create(user=learner, course=course)
    article = activities_of(course)[0]
    html = main_html(browser(learner).get(f"/courses/{course.slug}/activities/{article.pk}/"))
    assert "11 min read" in html and "10 min read" not in html
    body = client_for(learner).get(f"/api/v1/activities/{article.pk}/lesson/").json()
    assert (body["word_count"], body["reading_minutes"], body["reading_words_per_minute"]) == (2380, 11, PT)
    assert body["reading_label"] == "11 min read"


@pytest.mark.django_db
def test_the_migration_recomputes_lessons_stored_at_the_old_single_rate():
    course = build_course(language="pt-BR", activities=[
        {"lesson": {"content_type": "article", "body": words(2380)}},
        {"kind": "workshop", "estimated_minutes": 60, "required": False}])
    Lesson.objects.filter(activity__course=course).update(reading_minutes=10)  # what 238 wpm stored
    course.activities.filter(kind="lesson").update(estimated_minutes=10)
    Course.objects.filter(pk=course.pk).update(estimated_minutes=70)
    migration = importlib.import_module("courses.migrations.0012_reading_time_per_language")
    assert migration.WORDS_PER_MINUTE == READING_WORDS_PER_MINUTE
    migration.recompute(apps, None)
    assert Lesson.objects.get(activity__course=course).reading_minutes == 11
    assert Course.objects.get(pk=course.pk).estimated_minutes == 11
