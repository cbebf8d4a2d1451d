"""The privacy domain's error codes."""
from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class PrivacyErrorCode(ErrorCodeEnum):
    EXPORT_ACTIVE = "export_active"  # an export of this person is already requested or being prepared
