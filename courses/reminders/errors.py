"""Errors raised by reminders and their policies, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class ReminderErrorCode(ErrorCodeEnum):
    INVALID_POLICY = "invalid_policy"
    INVALID_UNSUBSCRIBE_TOKEN = "invalid_unsubscribe_token"  # noqa: S105 (a code, not a secret)
    INVALID_WEEKDAYS = "invalid_weekdays"
    NOTHING_OVERDUE = "nothing_overdue"
