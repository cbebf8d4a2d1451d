"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

Services raise ``ApplicationError`` subclasses (each domain keeps its own, with stable codes from its
error-code enum); ``lms.error_handlers`` renders them, and DRF's and Django's own errors, in this shape, so a
client parses every failure the same way.
"""
from __future__ import annotations

from typing import Any

from rest_framework import status

from lms.error_codes import PlatformErrorCode

# Seconds a client is told to wait when the database dropped or refused its connection: long enough
# for a restart or failover to finish, short enough that a retrying client is not kept waiting.
DATABASE_RETRY_AFTER_SECONDS = 5


class ApplicationError(Exception):
    """A rule of the domain was broken. Rendered as a 4xx with a stable code: by default 422, the
    request had the documented shape but asks for something the rules refuse (a deadline in the past,
    a file that is not WebVTT). 400 is for input that does not match the OpenAPI schema."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = PlatformErrorCode.INVALID

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None,
        status_code: int | None = None, headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = PlatformErrorCode.NOT_FOUND


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = PlatformErrorCode.CONFLICT


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = PlatformErrorCode.PERMISSION_DENIED


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


