"""Error codes: every ``error.code`` the API can answer is a member of one ``StrEnum``.

Each domain keeps its own enum next to its exceptions (``courses.workshops.errors.WorkshopErrorCode``,
``assessments.quizzes.errors.QuizErrorCode``...); a code raised in several domains lives once, in the
lowest place they share (``courses.errors``, ``assessments.errors``, or ``PlatformErrorCode`` here).
Members are ``str``: they compare equal to, and serialize exactly as, their plain string value.
"""
from enum import StrEnum, unique


class ErrorCodeEnum(StrEnum):
    """Base of the error-code enums (no members of its own, so the domains can subclass it)."""


@unique
class PlatformErrorCode(ErrorCodeEnum):
    """Generic and platform codes: validation, authentication, HTTP-level failures, people and
    organizations, CSV uploads, and codes shared by the courses and assessments apps."""

    ACCOUNT_LOCKED = "account_locked"
    BAD_REQUEST = "bad_request"
    CONFLICT = "conflict"
    DEPARTMENT_EXISTS = "department_exists"
    EMAIL_TAKEN = "email_taken"
    EMPLOYEE_ID_TAKEN = "employee_id_taken"
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    IMAGE_TOO_LARGE = "image_too_large"
    INVALID = "invalid"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_CSV = "invalid_csv"
    INVALID_DEPARTMENT = "invalid_department"
    INVALID_EMAIL = "invalid_email"
    INVALID_ENCODING = "invalid_encoding"
    INVALID_IMAGE = "invalid_image"
    INVALID_LANGUAGE = "invalid_language"
    INVALID_MANAGER = "invalid_manager"
    INVALID_ROLE = "invalid_role"
    INVALID_SCOPE = "invalid_scope"
    INVALID_TIMEZONE = "invalid_timezone"
    LOCKED = "locked"
    MANAGER_CYCLE = "manager_cycle"
    MEMBERSHIP_EXISTS = "membership_exists"
    MISSING_COLUMNS = "missing_columns"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    ORGANIZATION_NOT_FOUND = "organization_not_found"
    PERMISSION_DENIED = "permission_denied"
    REQUEST_TOO_LARGE = "request_too_large"
    REQUIRED = "required"
    SERVER_ERROR = "server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    SLUG_TAKEN = "slug_taken"
    THROTTLED = "throttled"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_COLUMNS = "unknown_columns"
    UNSTORABLE_TEXT = "unstorable_text"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 (a code, not a password)
