"""The migration to caption tracks carries each lesson's one captions file over as its track in the course's
language, cues read, the file left where it was; and it can be undone."""
from __future__ import annotations

import pytest
from django.db import connection

from courses.catalog.models import Lesson, LessonCaption
from tests.courses.factories import activities_of, build_course
from tests.migration_steps import migrate, newest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("courses", "0014_lesson_images")]
VTT = b"WEBVTT\n\n00:01.000 --> 00:03.000\nOl\xc3\xa1.\n"



def test_a_lessons_captions_file_becomes_its_track_in_the_course_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course = build_course(language="pt-BR", activities=[{"title": "Talk", "lesson": {"content_type": "video"}}])
    lesson = Lesson.objects.get(activity=activities_of(course)[0])
    (tmp_path / "lessons" / "captions").mkdir(parents=True)
    (tmp_path / "lessons" / "captions" / "old.vtt").write_bytes(VTT)
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE courses_lesson SET captions = %s WHERE id = %s",
                           ["lessons/captions/old.vtt", lesson.pk])
    finally:
        migrate(newest())
    track = LessonCaption.objects.get(lesson=lesson)
    assert (track.language, track.label, track.kind, track.file.name) == (
        "pt-BR", "Português Brasileiro", "captions", "lessons/captions/old.vtt")
    assert track.cues == [[1.0, 3.0, "Olá."]]

    migrate(BEFORE)  # undone: the track is the lesson's captions file again
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT captions FROM courses_lesson WHERE id = %s", [lesson.pk])
            assert cursor.fetchone() == ("lessons/captions/old.vtt",)
    finally:
        migrate(newest())
