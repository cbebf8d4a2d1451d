"""Errors raised by course ratings, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class RatingErrorCode(ErrorCodeEnum):
    INVALID_RATING = "invalid_rating"
    RATING_NOT_ALLOWED = "rating_not_allowed"
    INVALID_FLAG_REASON = "invalid_flag_reason"
    CANNOT_FLAG_OWN_REVIEW = "cannot_flag_own_review"
    HIDE_REASON_REQUIRED = "hide_reason_required"
