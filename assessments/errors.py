"""Errors raised by the assessments app, with stable codes (rendered by lms.errors).

Codes:
- 400 ``invalid_quiz``, ``invalid_question``, ``invalid_import``: authoring input breaks a rule;
- 400 ``unknown_question``, ``duplicate_answer``, ``unknown_choice``, ``wrong_answer_kind``,
  ``too_many_choices``: the answers do not fit the attempt;
- 404 ``quiz_not_found``;
- role-plays and instruments: ``RoleplayError`` (400) and ``RoleplayConflict`` (409), codes below;
- 409 ``not_a_quiz``, ``quiz_empty``, ``enrollment_required``, ``max_attempts_reached``,
  ``attempt_expired``, ``quiz_has_attempts``, ``question_answered``.
"""
from lms.errors import ApplicationError, Conflict, NotFound


class AssessmentsError(ApplicationError):
    code = "invalid"


class QuizNotFound(NotFound):
    code = "quiz_not_found"


class QuizAuthoringError(AssessmentsError):
    code = "invalid_quiz"


class AnswerError(AssessmentsError):
    """The submitted answers do not fit the attempt (400; nothing is recorded)."""

    code = "invalid_answer"


class AttemptConflict(Conflict):
    """The attempt cannot start or be submitted in its current state (409; nothing is recorded)."""

    code = "attempt_conflict"


class QuizConflict(Conflict):
    code = "quiz_conflict"


class RoleplayError(AssessmentsError):
    """Role-play, rubric, review or instrument input breaks a rule (400; nothing is recorded).

    Codes: ``invalid_rubric``, ``invalid_scenario``, ``invalid_performance``, ``invalid_media``,
    ``media_too_large``, ``invalid_review``, ``invalid_level``, ``invalid_instrument``, ``invalid_answers``.
    """

    code = "invalid_roleplay"


class RoleplayConflict(Conflict):
    """The request does not fit the current state (409; nothing is recorded).

    Codes: ``rubric_in_use``, ``not_a_roleplay``, ``not_a_survey``, ``performance_pending``,
    ``enrollment_required``, ``review_exists``, ``review_closed``, ``calibration_required``,
    ``survey_not_open``, ``survey_answered``, ``scenario_has_performances``.
    """

    code = "roleplay_conflict"
