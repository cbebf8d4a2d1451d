"""Watch progress of a self-hosted video lesson.

The player reports the ranges it has played (``video.played``, in seconds). The learner's ranges are kept as
their union, clipped to the video's length: a part watched twice counts once, a report sent twice changes
nothing, and the seconds watched never go down. The newly watched seconds go to the activity's time spent
(``activity_heartbeat``); once ``WATCHED_TO_COMPLETE`` of the video is watched the lesson is completed
(``lesson_complete``), which may complete the enrollment.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from courses.catalog.models import Activity, Lesson
from courses.enrollments.errors import EnrollmentErrorCode, ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment, VideoWatch
from courses.enrollments.services import (
    _check_recordable,
    _lock_enrollment,
    _refuse_unless_lesson,
    activity_heartbeat,
    lesson_complete,
)

WATCHED_TO_COMPLETE = 0.9
MAX_RANGES = 500
MAX_SECONDS = 24 * 3600


@dataclass(frozen=True)
class WatchResult:
    seconds_watched: int
    duration_seconds: int
    completed: bool
    progress: ActivityProgress | None


def _refuse(message: str) -> ProgressError:
    return ProgressError(message, code=EnrollmentErrorCode.INVALID_TIME, fields={"ranges": [message]})


def ranges_merge(ranges: Sequence[Sequence[float]], *, limit: float) -> list[list[float]]:
    """The union of ``ranges`` clipped to [0, limit], sorted and disjoint (ranges that touch are joined)."""
    merged: list[list[float]] = []
    for start, end in sorted((max(0.0, float(s)), min(float(e), limit)) for s, e in ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(start, 3), round(end, 3)] for start, end in merged]


def _checked(ranges: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    if len(ranges) > MAX_RANGES:
        raise _refuse(f"At most {MAX_RANGES} ranges at a time.")
    checked = []
    for pair in ranges:
        if len(pair) != 2:
            raise _refuse("Each range is [start, end] in seconds.")
        start, end = float(pair[0]), float(pair[1])
        if not (math.isfinite(start) and math.isfinite(end)) or not 0 <= start <= end <= MAX_SECONDS:
            raise _refuse("Each range is [start, end] with 0 <= start <= end, in seconds.")
        checked.append((start, end))
    return checked


def lesson_video_watched(*, enrollment: Enrollment, activity: Activity,
                         ranges: Sequence[Sequence[float]]) -> WatchResult:
    """Record the ranges of the lesson's video the learner has played; see the module's docstring."""
    checked = _checked(ranges)
    _refuse_unless_lesson(activity)
    lesson = Lesson.objects.filter(activity=activity).only("content_type", "video_duration_seconds").first()
    if lesson is None or lesson.content_type != Lesson.ContentType.VIDEO:
        raise ProgressError("This lesson has no video to watch.", code=EnrollmentErrorCode.NOT_A_VIDEO,
                            status_code=409)
    duration = lesson.video_duration_seconds
    with transaction.atomic():
        locked = _lock_enrollment(enrollment)
        _check_recordable(locked, activity)
        watch, _ = VideoWatch.objects.select_for_update().get_or_create(enrollment=locked, activity=activity)
        merged = ranges_merge([*watch.ranges, *checked], limit=duration or MAX_SECONDS)
        seconds = min(int(sum(end - start for start, end in merged)), duration or MAX_SECONDS)
        added = seconds - watch.seconds_watched
        progress = ActivityProgress.objects.filter(enrollment=locked, activity=activity).first()
        passed = progress is not None and progress.status == ActivityProgress.Status.PASSED
        if added > 0:
            watch.ranges, watch.seconds_watched = merged, seconds
            watch.save(update_fields=["ranges", "seconds_watched", "updated_at"])
            if not passed and duration and seconds >= WATCHED_TO_COMPLETE * duration:
                progress = lesson_complete(enrollment=locked, activity=activity, time_spent_seconds=added)
                passed = True
            else:
                progress = activity_heartbeat(enrollment=locked, activity=activity, seconds=added)
    return WatchResult(seconds_watched=watch.seconds_watched, duration_seconds=duration, completed=passed,
                       progress=progress)
