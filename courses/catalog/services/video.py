"""Video lessons: the uploaded video (an MP4 or WebM told by its content, its length read from the file) and the
caption tracks, one WebVTT file per language, checked line by line, their cues kept for the page's transcript.
Files replaced or removed leave the storage after the commit."""
from __future__ import annotations

from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language_info

from courses.catalog import video_files, webvtt
from courses.catalog.errors import CatalogErrorCode, ContentError
from courses.catalog.models import Lesson, LessonCaption, validate_language
from courses.catalog.services import _estimate, course_recompute_estimate, course_search_refresh
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.uploads import upload_stem


def lesson_video_set(*, lesson: Lesson, file: BinaryIO, filename: str = "video") -> Lesson:
    """Make the uploaded MP4 or WebM (told by its content, at most ``VIDEO_MAX_BYTES``) the lesson's video; its
    length, when the file states it, becomes the lesson's. The previous file goes after the commit."""
    info = video_files.video_inspect(file, max_bytes=settings.VIDEO_MAX_BYTES)
    stem = upload_stem(filename, default="video", max_length=60)
    with transaction.atomic():
        old = lesson.video.name if lesson.video else ""
        lesson.content_type = Lesson.ContentType.VIDEO
        lesson.video.save(f"{stem}.{info.kind}", File(file), save=False)
        lesson.video_kind, lesson.video_size = info.kind, info.size
        if info.duration_seconds:
            lesson.video_duration_seconds = info.duration_seconds
        lesson.save()
        _lesson_estimate_refresh(lesson)
        if old and old != lesson.video.name:
            transaction.on_commit(lambda: lesson.video.storage.delete(old))
    return lesson


def lesson_video_remove(*, lesson: Lesson) -> Lesson:
    """Take the uploaded video off the lesson (its caption tracks stay, for an embedded video)."""
    if not lesson.video:
        raise NotFound("This lesson has no uploaded video.")
    old, storage = lesson.video.name, lesson.video.storage
    with transaction.atomic():
        lesson.video = ""
        lesson.video_kind, lesson.video_size = "", 0
        lesson.save(update_fields=["video", "video_kind", "video_size", "updated_at"])
        transaction.on_commit(lambda: storage.delete(old))
    return lesson


def _lesson_estimate_refresh(lesson: Lesson) -> None:
    activity = lesson.activity
    activity.estimated_minutes = _estimate(lesson)
    activity.save(update_fields=["estimated_minutes"])
    course_recompute_estimate(course=activity.course)


def caption_language(value: str) -> str:
    """A track's language tag in its usual spelling ("pt-br" -> "pt-BR"), or ``ContentError``."""
    parts = (value or "").strip().replace("_", "-").split("-")
    tag = "-".join([parts[0].lower(), *(p.title() if len(p) == 4 else p.upper() for p in parts[1:])])
    try:
        validate_language(tag)
    except ValidationError:
        message = f"'{value}' is not a language tag such as 'en' or 'pt-BR'."
        raise ContentError(message, code=PlatformErrorCode.INVALID_LANGUAGE, fields={"language": [message]}) from None
    return tag


def caption_default_label(language: str) -> str:
    """The language's own name ("English", "Português Brasileiro"), or its tag when Django does not know it."""
    try:
        return str(get_language_info(language.lower())["name_local"])
    except KeyError:
        return language


def lesson_caption_set(*, lesson: Lesson, language: str, data: bytes | BinaryIO, label: str = "",
                       kind: str = LessonCaption.Kind.CAPTIONS) -> LessonCaption:
    """Add the lesson's WebVTT track in ``language``, or replace the one it has (checked by ``webvtt``, which
    names the line at fault); its cues are kept for the page's transcript."""
    language = caption_language(language)
    if kind not in LessonCaption.Kind.values:
        raise ContentError("A track is captions or subtitles.", code=CatalogErrorCode.INVALID_CAPTIONS,
                           fields={"kind": [f"One of {', '.join(LessonCaption.Kind.values)}."]})
    label = " ".join((label or "").split())[:80] or caption_default_label(language)
    cues = webvtt.captions_parse(data)
    raw = data if isinstance(data, bytes) else data.read()
    with transaction.atomic():
        track = LessonCaption.objects.select_for_update().filter(lesson=lesson, language=language).first()
        track = track or LessonCaption(lesson=lesson, language=language)
        old = track.file.name if track.file else ""
        track.label, track.kind = label, kind
        track.cues = [[cue.start, cue.end, cue.text] for cue in cues]
        track.file.save(f"captions-{lesson.activity_id}-{language}.vtt", ContentFile(raw), save=False)
        track.save()
        Lesson.objects.filter(pk=lesson.pk).update(updated_at=timezone.now())
        course_search_refresh(course=lesson.activity.course)  # the cues' words are searched
        if old and old != track.file.name:
            storage = track.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return track


def lesson_caption_remove(*, lesson: Lesson, language: str) -> None:
    """Take the lesson's track in ``language`` away; 404 when it has none."""
    track = LessonCaption.objects.filter(lesson=lesson, language=caption_language(language)).first()
    if track is None:
        raise NotFound("This lesson has no captions in that language.")
    name, storage = track.file.name, track.file.storage
    with transaction.atomic():
        track.delete()
        course_search_refresh(course=lesson.activity.course)
        transaction.on_commit(lambda: storage.delete(name))


def lesson_attach_captions(*, lesson: Lesson, data: bytes) -> Lesson:
    """WebVTT captions in the course's language (the single-file upload older clients use)."""
    lesson_caption_set(lesson=lesson, language=lesson.activity.course.language, data=data)
    return lesson
