"""Errors raised by the assessments app, with stable codes (rendered by lms.errors).

Codes:
- 400 ``invalid_quiz``, ``invalid_question``, ``invalid_import``: authoring input breaks a rule;
- 400 ``unknown_question``, ``duplicate_answer``, ``unknown_choice``, ``wrong_answer_kind``,
  ``too_many_choices``: the answers do not fit the attempt;
- 404 ``quiz_not_found``;
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
