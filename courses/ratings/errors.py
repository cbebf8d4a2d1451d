"""Errors raised by course ratings, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class RatingErrorCode(ErrorCodeEnum):
    INVALID_RATING = "invalid_rating"
    RATING_NOT_ALLOWED = "rating_not_allowed"
