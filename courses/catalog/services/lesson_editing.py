"""What the lesson editor at /teach/ shows beside the services it shares with the API: the preview of an article
exactly as its learners will read it (an activity's title and whether it is required change through
``services.structure.activity_update``)."""
from __future__ import annotations

from dataclasses import dataclass

from courses.catalog import lesson_content as content
from courses.catalog.models import Lesson
from courses.catalog.services import _image_refs

MAX_TITLE = 200


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
