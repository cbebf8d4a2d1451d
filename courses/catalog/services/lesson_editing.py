"""What the lesson editor at /teach/ writes and shows beside the services it shares with the API: an activity's
title and whether it is required, and the preview of an article exactly as its learners will read it."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from courses.catalog import lesson_content as content
from courses.catalog.models import Activity, Lesson
from courses.catalog.services import _image_refs, course_recompute_estimate, course_search_refresh
from courses.errors import CoursesError

MAX_TITLE = 200


def activity_update(*, activity: Activity, title: str | None = None, required: bool | None = None) -> Activity:
    """Rename an activity or make it required or optional; the course's estimate (required activities only) and
    its search entry (titles are searched) follow."""
    fields: list[str] = []
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise CoursesError("An activity needs a title.", fields={"title": ["This field is required."]})
        if len(title) > MAX_TITLE:
            raise CoursesError(f"A title is at most {MAX_TITLE} characters.", fields={"title": ["Too long."]})
        activity.title = title
        fields.append("title")
    if required is not None:
        activity.required = bool(required)
        fields.append("required")
    if not fields:
        return activity
    with transaction.atomic():
        activity.save(update_fields=fields)
        course_recompute_estimate(course=activity.course)
        course_search_refresh(course=activity.course)
    return activity


@dataclass(frozen=True)
class LessonPreview:
    html: str
    words: int
    minutes: int


def lesson_preview(*, lesson: Lesson, body: str) -> LessonPreview:
    """``body`` rendered as the lesson's saved article is (same renderer, sanitizer and pictures) and its reading
    time at the course's rate; nothing is written."""
    html = content.render_markdown(body or "", _image_refs(lesson))
    words = content.count_words(body or "")
    return LessonPreview(html=html, words=words,
                         minutes=content.reading_minutes(words, lesson.activity.course.language))
