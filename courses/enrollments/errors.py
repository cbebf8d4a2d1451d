"""Errors raised by enrollments and progress, with stable codes (rendered by lms.errors)."""
from enum import unique

from courses.errors import CoursesError
from lms.error_codes import ErrorCodeEnum
from lms.errors import Conflict


@unique
class EnrollmentErrorCode(ErrorCodeEnum):
    ACTIVITY_NOT_FOUND = "activity_not_found"
    ACTIVITY_NOT_IN_COURSE = "activity_not_in_course"
    CANNOT_WITHDRAW = "cannot_withdraw"
    COURSE_NOT_PUBLISHED = "course_not_published"
    EMAILS_OR_FILE = "emails_or_file"
    ENROLLMENT_CONFLICT = "enrollment_conflict"
    ENROLLMENT_NOT_ACTIVE = "enrollment_not_active"
    INVALID_EXTENSION = "invalid_extension"
    INVALID_PROGRESS = "invalid_progress"
    INVALID_SCORE = "invalid_score"
    INVALID_TIME = "invalid_time"
    NO_ROWS = "no_rows"
    NOT_A_LESSON = "not_a_lesson"
    NOT_A_MEMBER = "not_a_member"
    NOT_A_VIDEO = "not_a_video"
    OVERRIDE_EMPTY = "override_empty"
    OVERRIDE_NO_CHANGE = "override_no_change"


class EnrollmentConflict(Conflict):
    code = EnrollmentErrorCode.ENROLLMENT_CONFLICT


class ProgressError(CoursesError):
    code = EnrollmentErrorCode.INVALID_PROGRESS
