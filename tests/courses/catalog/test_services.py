"""courses.catalog.services: authoring, rendering and the derived estimates."""
from __future__ import annotations

import pytest

from courses.catalog import lesson_content as content
from courses.catalog import services
from courses.catalog.models import Activity, Course, Lesson
from courses.errors import CoursesError
from lms.errors import Conflict
from tests import factories as people
from tests.courses.factories import build_course, words
from tests.courses.markup import MALICIOUS, assert_safe, parsed

WPM = content.WORDS_PER_MINUTE


@pytest.fixture
def module(db):
    course = services.course_create(slug="authoring", title="Authoring")
    return services.module_create(course=course, title="Basics")


def test_article_body_is_sanitised(module):
    activity = services.activity_create(module=module, title="Tricky",
                                        lesson={"content_type": "article", "body": MALICIOUS})
    html = activity.lesson.body_html
    assert_safe(html)
    assert "<script" not in html and "<img" not in html
    # The one safe link survives, hardened; the javascript: ones stay inert text.
    assert [(tag, attrs) for tag, attrs in parsed(html) if tag == "a"] == [
        ("a", {"href": "https://example.com/a", "rel": "noopener noreferrer nofollow"})]
    assert "Hello" in html and "there." in html
    stored = Lesson.objects.get(pk=activity.lesson.pk)
    assert stored.body == MALICIOUS  # the author's text is kept; only the rendering is cleaned
    assert stored.body_html == html


def test_course_description_is_sanitised(db):
    course = services.course_create(slug="desc", title="Desc", description=MALICIOUS)
    assert_safe(course.description_html)
    assert "<script" not in course.description_html
    course = services.course_update(course=course, description="*calm*")
    assert Course.objects.get(pk=course.pk).description_html.strip() == "<p><em>calm</em></p>"


def test_transcript_is_sanitised(module):
    activity = services.activity_create(module=module, title="Video", lesson={
        "content_type": "video", "video_url": "https://vimeo.com/76979871", "video_duration_seconds": 60,
        "transcript": MALICIOUS})
    assert_safe(activity.lesson.transcript_html)
    assert "<script" not in activity.lesson.transcript_html


@pytest.mark.parametrize(("count", "minutes"), [
    (0, 0), (1, 1), (WPM, 1), (WPM + 1, 2), (2 * WPM, 2), (2 * WPM + 1, 3),
])
def test_reading_minutes(module, count, minutes):
    activity = services.activity_create(module=module, title="Read",
                                        lesson={"content_type": "article", "body": words(count)})
    lesson = activity.lesson
    assert (lesson.word_count, lesson.reading_minutes, activity.estimated_minutes) == (count, minutes, minutes)


def test_a_476_word_article_is_a_2_minute_read(module):
    assert WPM == 238
    activity = services.activity_create(module=module, title="Read",
                                        lesson={"content_type": "article", "body": words(476)})
    lesson = Lesson.objects.get(activity=activity)
    assert (lesson.word_count, lesson.reading_minutes) == (476, 2)
    assert content.reading_label(lesson.reading_minutes) == "2 min read"


def test_reading_time_follows_lesson_update(module):
    activity = services.activity_create(module=module, title="Read",
                                        lesson={"content_type": "article", "body": words(100)})
    course = module.course
    course.refresh_from_db()
    assert (activity.estimated_minutes, course.estimated_minutes) == (1, 1)

    services.lesson_update(lesson=activity.lesson, body=words(3 * WPM + 1))
    lesson = Lesson.objects.get(activity=activity)
    activity.refresh_from_db()
    course.refresh_from_db()
    assert (lesson.word_count, lesson.reading_minutes) == (3 * WPM + 1, 4)
    assert (activity.estimated_minutes, course.estimated_minutes) == (4, 4)


def test_course_estimate_is_the_sum_of_its_activities(module):
    services.activity_create(module=module, title="Article", lesson={"content_type": "article", "body": words(476)})
    services.activity_create(module=module, title="Video", lesson={
        "content_type": "video", "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "video_duration_seconds": 150})
    services.activity_create(module=module, title="Quiz", kind="quiz", estimated_minutes=10)
    second = services.module_create(course=module.course, title="More")
    services.activity_create(module=second, title="Workshop", kind="workshop", estimated_minutes=90)
    course = Course.objects.get(pk=module.course_id)
    assert sorted(Activity.objects.filter(course=course).values_list("estimated_minutes", flat=True)) == [2, 3, 10, 90]
    assert course.estimated_minutes == 2 + 3 + 10 + 90
    assert services.course_recompute_estimate(course=course) == 105


def test_lesson_estimate_ignores_the_given_minutes(module):
    activity = services.activity_create(module=module, title="Read", estimated_minutes=99,
                                        lesson={"content_type": "article", "body": words(10)})
    assert activity.estimated_minutes == 1


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"title": " "}, "invalid"),
    ({"title": "X", "kind": "dance"}, "invalid_kind"),
    ({"title": "X", "weight": 101}, "invalid"),
    ({"title": "X", "lesson": {"content_type": "podcast"}}, "invalid_lesson_type"),
    ({"title": "X", "lesson": {"content_type": "video", "video_url": "javascript:alert(1)"}}, "invalid_video_url"),
    ({"title": "X", "lesson": {"content_type": "article", "video_url": "Creates a loop."}}, "invalid_video_url"),
    ({"title": "X", "lesson": {"content_type": "video", "video_duration_seconds": -1}}, "invalid_duration"),
    ({"title": "X", "lesson": {"colour": "red"}}, "invalid"),
])
def test_activity_create_rejects_bad_input(module, kwargs, code):
    with pytest.raises(CoursesError) as excinfo:
        services.activity_create(module=module, **kwargs)
    assert (excinfo.value.status_code, excinfo.value.code) == (422, code)
    assert not Activity.objects.exists() and not Lesson.objects.exists()


def test_lesson_update_rejects_bad_input_and_keeps_the_lesson(module):
    activity = services.activity_create(module=module, title="Read",
                                        lesson={"content_type": "article", "body": words(10)})
    with pytest.raises(CoursesError):
        services.lesson_update(lesson=activity.lesson, content_type="hologram")
    assert Lesson.objects.get(activity=activity).content_type == "article"


def test_course_create_rules(db):
    instructor = people.UserFactory()
    course = services.course_create(slug="Calm Voices!", title=" Calm voices ", created_by=instructor,
                                    tags=["Tone", "tone", ""], category="Soft skills")
    assert (course.slug, course.title, course.status) == ("calm-voices", "Calm voices", "draft")
    assert list(course.tags.values_list("slug", flat=True)) == ["tone"]
    assert course.category.slug == "soft-skills"
    assert list(course.instructors.all()) == [instructor]
    with pytest.raises(Conflict):
        services.course_create(slug="calm-voices", title="Again")
    with pytest.raises(CoursesError) as excinfo:
        services.course_create(slug="x", title="X", language="english")
    assert excinfo.value.code == "invalid_language"
    with pytest.raises(CoursesError):
        services.course_create(slug="!!!", title="X")
    with pytest.raises(CoursesError):
        services.course_create(slug="x", title="X", colour="red")
    assert Course.objects.count() == 1


def test_publish_needs_an_activity(db):
    course = services.course_create(slug="empty", title="Empty")
    with pytest.raises(CoursesError) as excinfo:
        services.course_publish(course=course)
    assert (excinfo.value.status_code, excinfo.value.code) == (409, "course_empty")
    assert Course.objects.get(pk=course.pk).status == "draft"
    built = build_course(slug="full", activities=[{"title": "One"}])
    assert built.status == "published" and built.published_at is not None
    first_published = built.published_at
    services.course_publish(course=built)
    assert Course.objects.get(pk=built.pk).published_at == first_published
