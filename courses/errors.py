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
