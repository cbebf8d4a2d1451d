"""Errors raised by instruments (surveys), with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class InstrumentErrorCode(ErrorCodeEnum):
    INVALID_ANSWERS = "invalid_answers"
    INVALID_INSTRUMENT = "invalid_instrument"
    NOT_A_SURVEY = "not_a_survey"
    SURVEY_ANSWERED = "survey_answered"
    SURVEY_EXISTS = "survey_exists"
    SURVEY_NOT_OPEN = "survey_not_open"
