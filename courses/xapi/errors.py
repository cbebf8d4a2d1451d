"""Errors raised by the xAPI configuration, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum
from lms.errors import ApplicationError


@unique
class XapiErrorCode(ErrorCodeEnum):
    INVALID_LRS_ENDPOINT = "invalid_lrs_endpoint"
    LRS_CREDENTIALS_REQUIRED = "lrs_credentials_required"
    LRS_CREDENTIALS_UNREADABLE = "lrs_credentials_unreadable"
    LRS_NOT_CONFIGURED = "lrs_not_configured"
    LRS_TARGET_REFUSED = "lrs_target_refused"


class XapiError(ApplicationError):
    code = XapiErrorCode.INVALID_LRS_ENDPOINT
