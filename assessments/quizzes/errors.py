"""Errors raised by quizzes, their authoring and attempts, with stable codes (rendered by lms.errors).

Codes:
- 400 ``invalid_quiz``, ``invalid_question``, ``invalid_import``: authoring input breaks a rule;
- 400 ``unknown_question``, ``duplicate_answer``, ``unknown_choice``, ``wrong_answer_kind``,
  ``too_many_choices``: the answers do not fit the attempt;
- 404 ``quiz_not_found``;
- 409 ``not_a_quiz``, ``quiz_empty``, ``enrollment_required``, ``max_attempts_reached``,
  ``attempt_expired``, ``quiz_has_attempts``, ``question_answered``.
"""
from enum import unique

from assessments.errors import AssessmentsError
from lms.error_codes import ErrorCodeEnum
from lms.errors import Conflict, NotFound


@unique
class QuizErrorCode(ErrorCodeEnum):
    ATTEMPT_CONFLICT = "attempt_conflict"
    ATTEMPT_EXPIRED = "attempt_expired"
    DUPLICATE_ANSWER = "duplicate_answer"
    DUPLICATE_CHOICE = "duplicate_choice"
    INVALID_ANSWER = "invalid_answer"
    INVALID_IMPORT = "invalid_import"
    INVALID_QUESTION = "invalid_question"
    INVALID_QUIZ = "invalid_quiz"
    MAX_ATTEMPTS_REACHED = "max_attempts_reached"
    NOT_A_QUIZ = "not_a_quiz"
    QUESTION_ANSWERED = "question_answered"
    QUIZ_CONFLICT = "quiz_conflict"
    QUIZ_EMPTY = "quiz_empty"
    QUIZ_EXISTS = "quiz_exists"
    QUIZ_HAS_ATTEMPTS = "quiz_has_attempts"
    QUIZ_NOT_FOUND = "quiz_not_found"
    REPEATED = "repeated"
    TOO_MANY_ANSWERS = "too_many_answers"
    TOO_MANY_CHOICES = "too_many_choices"
    TOO_MANY_QUESTIONS = "too_many_questions"
    UNKNOWN_CHOICE = "unknown_choice"
    UNKNOWN_QUESTION = "unknown_question"
    WRONG_ANSWER_KIND = "wrong_answer_kind"


class QuizNotFound(NotFound):
    code = QuizErrorCode.QUIZ_NOT_FOUND


class QuizAuthoringError(AssessmentsError):
    code = QuizErrorCode.INVALID_QUIZ


class AnswerError(AssessmentsError):
    """The submitted answers do not fit the attempt (400; nothing is recorded)."""

    code = QuizErrorCode.INVALID_ANSWER


class AttemptConflict(Conflict):
    """The attempt cannot start or be submitted in its current state (409; nothing is recorded)."""

    code = QuizErrorCode.ATTEMPT_CONFLICT


class QuizConflict(Conflict):
    code = QuizErrorCode.QUIZ_CONFLICT
