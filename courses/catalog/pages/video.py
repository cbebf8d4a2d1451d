"""A video lesson on its page: the player (an uploaded file in ``<video>`` with one ``<track>`` per caption
language, or a YouTube/Vimeo embed), the transcript built from the cues of the track in the page's language,
and the views that send the video (byte ranges, for seeking) and its tracks to the people who may read it."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import translation
from django.views.decorators.http import require_GET

from courses.catalog import lesson_content as content
from courses.catalog import selectors as catalog_selectors
from courses.catalog import video_files
from courses.catalog.models import Course, Lesson, LessonCaption
from courses.catalog.webvtt import time_label
from courses.enrollments import selectors as enrollment_selectors
from lms.files import file_response


@dataclass
class TranscriptCue:
    start: float
    end: float
    time: str  # "0:42"
    text: str
    link: str = ""  # for an embed: the embed's address at this time


@dataclass
class VideoView:
    tracks: list[LessonCaption]  # the default track first
    default: LessonCaption | None
    embed_url: str | None
    embed_name: str
    cues: list[TranscriptCue] = field(default_factory=list)


def _matches(track: LessonCaption, wanted: str) -> int:
    """2 when the tags are the same, 1 when only their primary language is (pt-BR for pt), else 0."""
    have, want = track.language.lower(), wanted.lower()
    if have == want:
        return 2
    return 1 if have.split("-")[0] == want.split("-")[0] else 0


def default_track(tracks: list[LessonCaption], *, page_language: str, course_language: str) -> LessonCaption | None:
    """The track in the page's language, else in the course's, else the first."""
    for wanted in (page_language, course_language):
        best = max(tracks, key=lambda track: _matches(track, wanted), default=None)
        if best is not None and _matches(best, wanted):
            return best
    return tracks[0] if tracks else None


def embed_at(embed_url: str, seconds: float) -> str:
    """The embed's address starting at ``seconds`` and playing (YouTube ``start=``, Vimeo ``#t=``)."""
    whole = int(seconds)
    if embed_url.startswith("https://player.vimeo.com/"):
        base = embed_url.split("#", 1)[0]
        return f"{base}{'&' if '?' in base else '?'}autoplay=1#t={whole}s"
    return f"{embed_url.split('?', 1)[0]}?start={whole}&autoplay=1"


def video_view(*, lesson: Lesson, course: Course) -> VideoView:
    tracks = catalog_selectors.lesson_caption_tracks(lesson=lesson)
    chosen = default_track(tracks, page_language=translation.get_language() or course.language,
                           course_language=course.language)
    if chosen is not None:
        tracks = [chosen, *(track for track in tracks if track.pk != chosen.pk)]
    embed_url = content.video_embed_url(lesson.video_url) if lesson.video_url and not lesson.video else None
    view = VideoView(tracks=tracks, default=chosen, embed_url=embed_url, embed_name=f"lesson-video-{lesson.pk}")
    for start, end, text in chosen.cues if chosen is not None else []:
        view.cues.append(TranscriptCue(start=start, end=end, time=time_label(start), text=text,
                                       link=embed_at(embed_url, start) if embed_url else ""))
    return view


def _readable_lesson(request, slug: str, activity_id: int) -> Lesson:
    lesson, _enrollment = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
    if lesson.activity.course.slug != slug:
        raise Http404
    return lesson


@require_GET
def lesson_video(request, slug, activity_id):
    """The lesson's uploaded video, for enrolled learners and the course's staff; byte ranges honoured."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = _readable_lesson(request, slug, activity_id)
    if not lesson.video:
        raise Http404
    return file_response(lesson.video, content_type=video_files.CONTENT_TYPES.get(lesson.video_kind, "video/mp4"),
                         request=request)


@require_GET
def lesson_caption_file(request, slug, activity_id, language):
    """One caption track of the lesson as WebVTT, for the player's ``<track>`` (and to download)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = _readable_lesson(request, slug, activity_id)
    track = catalog_selectors.lesson_caption_track(lesson=lesson, language=language)
    return file_response(track.file, content_type="text/vtt; charset=utf-8", request=request)
