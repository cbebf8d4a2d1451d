"""Errors raised by the 360° feedback on leaders, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class LeadershipErrorCode(ErrorCodeEnum):
    INVALID_CYCLE = "leadership_invalid_cycle"
    INVALID_ANSWERS = "leadership_invalid_answers"
    INVITATION_ANSWERED = "leadership_invitation_answered"
    CYCLE_NOT_OPEN = "leadership_cycle_not_open"
    CYCLE_CLOSED = "leadership_cycle_closed"
