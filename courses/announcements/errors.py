"""Errors raised by announcements, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class AnnouncementErrorCode(ErrorCodeEnum):
    ANNOUNCEMENT_INVALID = "announcement_invalid"
    ANNOUNCEMENT_NOT_ALLOWED = "announcement_not_allowed"
    ANNOUNCEMENT_SESSION_CANCELLED = "announcement_session_cancelled"
