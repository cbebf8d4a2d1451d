"""Errors shared by the assessments app's domains, with stable codes (rendered by lms.errors).

Each domain keeps its own exceptions and codes in its ``errors`` module: quizzes
(``assessments.quizzes.errors``), role-plays (``assessments.roleplays.errors``, whose ``RoleplayError`` and
``RoleplayConflict`` the instruments raise too) and instruments (``assessments.instruments.errors``);
here are the base class they share and the codes raised by more than one of them.
"""
from enum import unique

from lms.error_codes import ErrorCodeEnum, PlatformErrorCode
from lms.errors import ApplicationError


@unique
class AssessmentErrorCode(ErrorCodeEnum):
    ENROLLMENT_REQUIRED = "enrollment_required"


class AssessmentsError(ApplicationError):
    code = PlatformErrorCode.INVALID
