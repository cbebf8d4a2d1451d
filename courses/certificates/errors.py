"""Errors raised by certificates and their signed credentials, with stable codes (rendered by lms.errors)."""
from enum import unique

from lms.error_codes import ErrorCodeEnum
from lms.errors import ApplicationError, NotFound


@unique
class CertificateErrorCode(ErrorCodeEnum):
    ACHIEVEMENT_NOT_FOUND = "achievement_not_found"
    ALREADY_REVOKED = "already_revoked"
    CANONICALIZATION_FAILED = "canonicalization_failed"
    CERTIFICATE_NOT_FOUND = "certificate_not_found"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CREDENTIAL_KEY_NOT_FOUND = "credential_key_not_found"
    CREDENTIAL_PENDING = "credential_pending"
    CREDENTIALS_DISABLED = "credentials_disabled"
    INVALID_CREDENTIAL = "invalid_credential"
    INVALID_KEY = "invalid_key"
    INVALID_STATUS_LIST = "invalid_status_list"
    NO_ACTIVE_KEY = "no_active_key"
    PDF_PENDING = "pdf_pending"
    REASON_REQUIRED = "reason_required"
    STATUS_LIST_NOT_FOUND = "status_list_not_found"
    UNKNOWN_CONTEXT = "unknown_context"


class CredentialError(ApplicationError):
    """A credential could not be built, signed or processed. Codes: ``invalid_credential``,
    ``invalid_status_list``, ``canonicalization_failed``."""

    code = CertificateErrorCode.INVALID_CREDENTIAL


class UnknownContext(CredentialError):
    """A JSON-LD document named a context URL that is not pinned locally (we never fetch)."""

    code = CertificateErrorCode.UNKNOWN_CONTEXT


class CredentialKeyError(CredentialError):
    """A signing key is missing or unreadable. Codes: ``credential_key_not_found``, ``no_active_key``,
    ``invalid_key``."""

    code = CertificateErrorCode.INVALID_KEY


class CredentialKeyNotFound(NotFound):
    code = CertificateErrorCode.CREDENTIAL_KEY_NOT_FOUND
