"""Errors raised by role-plays (rubrics, scenarios, performances, reviews), with stable codes."""
from enum import unique

from assessments.errors import AssessmentsError
from lms.error_codes import ErrorCodeEnum
from lms.errors import Conflict


@unique
class RoleplayErrorCode(ErrorCodeEnum):
    ALREADY_ASSIGNED = "already_assigned"
    ASSIGNMENT_CLOSED = "assignment_closed"
    CALIBRATION_REQUIRED = "calibration_required"
    INVALID_LEVEL = "invalid_level"
    INVALID_MEDIA = "invalid_media"
    INVALID_PERFORMANCE = "invalid_performance"
    INVALID_REVIEW = "invalid_review"
    INVALID_ROLEPLAY = "invalid_roleplay"
    INVALID_RUBRIC = "invalid_rubric"
    INVALID_SCENARIO = "invalid_scenario"
    MEDIA_TOO_LARGE = "media_too_large"
    NO_MEDIA = "no_media"
    NOT_A_ROLEPLAY = "not_a_roleplay"
    PERFORMANCE_NOT_FOUND = "performance_not_found"
    PERFORMANCE_PENDING = "performance_pending"
    RECORDING_CONSENT_NOT_FOUND = "recording_consent_not_found"
    RECORDING_CONSENT_REQUIRED = "recording_consent_required"
    REVIEW_CLOSED = "review_closed"
    REVIEW_EXISTS = "review_exists"
    REVIEWER_NOT_FOUND = "reviewer_not_found"
    ROLEPLAY_CONFLICT = "roleplay_conflict"
    RUBRIC_EXISTS = "rubric_exists"
    RUBRIC_IN_USE = "rubric_in_use"
    SCENARIO_EXISTS = "scenario_exists"
    SCENARIO_HAS_PERFORMANCES = "scenario_has_performances"


class RoleplayError(AssessmentsError):
    """Role-play, rubric, review or instrument input breaks a rule (400; nothing is recorded).

    Codes: ``invalid_rubric``, ``invalid_scenario``, ``invalid_performance``, ``invalid_media``,
    ``media_too_large``, ``invalid_review``, ``invalid_level``, ``invalid_instrument``, ``invalid_answers``,
    ``recording_consent_required`` (a recording without the current consent text agreed to).
    """

    code = RoleplayErrorCode.INVALID_ROLEPLAY


class RoleplayConflict(Conflict):
    """The request does not fit the current state (409; nothing is recorded).

    Codes: ``rubric_in_use``, ``not_a_roleplay``, ``not_a_survey``, ``performance_pending``,
    ``enrollment_required``, ``review_exists``, ``review_closed``, ``calibration_required``,
    ``survey_not_open``, ``survey_answered``, ``scenario_has_performances``.
    """

    code = RoleplayErrorCode.ROLEPLAY_CONFLICT
