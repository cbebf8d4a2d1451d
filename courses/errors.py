"""Errors raised by the courses app, with stable codes (rendered by lms.errors)."""
from lms.errors import ApplicationError, Conflict, NotFound


class CoursesError(ApplicationError):
    code = "invalid"


class CourseNotFound(NotFound):
    code = "course_not_found"


class EnrollmentConflict(Conflict):
    code = "enrollment_conflict"


class ProgressError(CoursesError):
    code = "invalid_progress"


class ContentError(CoursesError):
    """Lesson content (Markdown, video URL, captions, ebook file) was rejected.

    Codes: ``invalid_ebook``, ``ebook_too_large``, ``encrypted_ebook``, ``invalid_video_url``,
    ``invalid_captions``, ``captions_too_large``.
    """

    code = "invalid_content"


class WorkshopError(CoursesError):
    """A workshop, session, registration or attendance rule was broken (400 unless said otherwise).

    Codes: ``invalid_session`` (times, capacity, time zone), ``not_a_workshop``, ``session_not_open``
    (cancelled, completed, started, outside the registration window), ``session_full``,
    ``overlapping_session``, ``not_enrolled``, ``cancellation_closed``, ``capacity_below_bookings``,
    ``not_session_instructor``, ``invalid_attendance``, ``part_not_started``.
    """

    code = "invalid_workshop"


class WorkshopConflict(Conflict):
    code = "workshop_conflict"
