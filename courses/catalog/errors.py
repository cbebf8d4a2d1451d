"""Errors raised by the catalog (courses, activities, lesson content), with stable codes (rendered by lms.errors)."""
from enum import unique

from courses.errors import CoursesError
from lms.error_codes import ErrorCodeEnum


@unique
class CatalogErrorCode(ErrorCodeEnum):
    ACTIVE_CONTENT_EBOOK = "active_content_ebook"
    ACTIVITY_HAS_PROGRESS = "activity_has_progress"
    CAPTIONS_TOO_LARGE = "captions_too_large"
    COURSE_EMPTY = "course_empty"
    COURSE_NOT_READY = "course_not_ready"
    COVER_ALT_REQUIRED = "cover_alt_required"
    COVER_TOO_LARGE = "cover_too_large"
    EBOOK_TOO_LARGE = "ebook_too_large"
    IMAGE_ALT_REQUIRED = "image_alt_required"
    IMAGE_NAME_TAKEN = "image_name_taken"
    ENCRYPTED_EBOOK = "encrypted_ebook"
    INVALID_CAPTIONS = "invalid_captions"
    INVALID_CONTENT = "invalid_content"
    INVALID_COVER = "invalid_cover"
    INVALID_DURATION = "invalid_duration"
    INVALID_EBOOK = "invalid_ebook"
    INVALID_LESSON_TYPE = "invalid_lesson_type"
    INVALID_VIDEO = "invalid_video"
    INVALID_VIDEO_URL = "invalid_video_url"
    MODULE_HAS_PROGRESS = "module_has_progress"
    ORDER_STALE = "order_stale"
    VIDEO_TOO_LARGE = "video_too_large"


class ContentError(CoursesError):
    """Lesson content (Markdown, video URL, captions, ebook file) was rejected.

    Codes: ``invalid_ebook``, ``ebook_too_large``, ``encrypted_ebook``, ``active_content_ebook``, ``invalid_video_url``,
    ``invalid_captions``, ``captions_too_large``, ``invalid_video``, ``video_too_large``; a course cover:
    ``invalid_cover``, ``cover_too_large``, ``cover_alt_required``; a picture in an article: ``invalid_image``,
    ``image_too_large`` (``PlatformErrorCode``), ``image_alt_required``.
    """

    code = CatalogErrorCode.INVALID_CONTENT
