"""Errors shared by the courses app's domains, with stable codes (rendered by lms.errors).

Each domain keeps its own exceptions and codes in its ``errors`` module (``courses.workshops.errors``...);
here are the base class they share and the codes raised by more than one of them.
"""
from enum import unique

from lms.error_codes import ErrorCodeEnum, PlatformErrorCode
from lms.errors import ApplicationError


@unique
class CoursesErrorCode(ErrorCodeEnum):
    COURSE_NOT_FOUND = "course_not_found"
    INVALID_KIND = "invalid_kind"


class CoursesError(ApplicationError):
    code = PlatformErrorCode.INVALID
