"""Errors raised by HR reports, exports and webhooks, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum
from lms.errors import ApplicationError


@unique
class ReportErrorCode(ErrorCodeEnum):
    INVALID_CURSOR = "invalid_cursor"
    INVALID_EVENT_TYPES = "invalid_event_types"
    INVALID_FORMAT = "invalid_format"
    INVALID_KEY_EXPIRY = "invalid_key_expiry"
    INVALID_REPORT_REQUEST = "invalid_report_request"
    INVALID_WEBHOOK_URL = "invalid_webhook_url"
    LINK_INVALID = "link_invalid"
    ORGANIZATION_REQUIRED = "organization_required"
    WEAK_WEBHOOK_SECRET = "weak_webhook_secret"  # noqa: S105 (a code, not a secret)
    WEBHOOK_SECRET_UNREADABLE = "webhook_secret_unreadable"  # noqa: S105 (a code, not a secret)
    WEBHOOK_TARGET_REFUSED = "webhook_target_refused"


class ReportError(ApplicationError):
    code = ReportErrorCode.INVALID_REPORT_REQUEST
