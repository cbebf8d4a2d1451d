"""Erasure's refusals and their codes (lms/privacy/services/erasure.py, its API and pages)."""
from __future__ import annotations

from enum import unique

from lms.error_codes import ErrorCodeEnum


@unique
class ErasureErrorCode(ErrorCodeEnum):
    ERASURE_PENDING = "erasure_pending"  # an open request exists already
    ERASURE_NOT_AWAITING = "erasure_not_awaiting"  # nothing to confirm
    ERASURE_WRONG_PASSWORD = "erasure_wrong_password"  # noqa: S105 (a code, not a password)
    ERASED_PERSON = "erased_person"  # a re-import of someone erased at their request
    LEGAL_HOLD_REASON_REQUIRED = "legal_hold_reason_required"
