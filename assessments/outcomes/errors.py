"""Errors raised by the customer-satisfaction link (outcomes), with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class OutcomeErrorCode(ErrorCodeEnum):
    OUTCOME_COURSE_NOT_FOUND = "outcome_course_not_found"
    OUTCOME_INVALID_REPORT = "outcome_invalid_report"
    OUTCOME_INVALID_ROWS = "outcome_invalid_rows"
    OUTCOME_NO_ROWS = "outcome_no_rows"
