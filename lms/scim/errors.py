"""SCIM's own error vocabulary: an error answers with a status and, for 400s and 409s, a ``scimType``.

SCIM clients read ``{"schemas": [...Error], "status": "400", "scimType": ..., "detail": ...}``, not the
rest of the API's error shape, so SCIM views render ``ScimError`` and nothing else. The ``detail`` texts
stay English: SCIM is a machine protocol between systems.
"""
from __future__ import annotations

from enum import StrEnum

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimType(StrEnum):
    INVALID_FILTER = "invalidFilter"
    TOO_MANY = "tooMany"
    UNIQUENESS = "uniqueness"
    MUTABILITY = "mutability"
    INVALID_SYNTAX = "invalidSyntax"
    INVALID_PATH = "invalidPath"
    NO_TARGET = "noTarget"
    INVALID_VALUE = "invalidValue"


class ScimError(Exception):
    """A refusal in SCIM's terms: ``status`` (HTTP) and, where SCIM defines one, ``scim_type``."""

    def __init__(self, detail: str, *, status: int = 400, scim_type: ScimType | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.scim_type = scim_type

    def body(self) -> dict:
        return error_body(self.status, self.detail, self.scim_type)


def invalid_value(detail: str) -> ScimError:
    return ScimError(detail, scim_type=ScimType.INVALID_VALUE)


def not_found(detail: str = "Resource not found.") -> ScimError:
    return ScimError(detail, status=404)


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict:
    body: dict = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = str(scim_type)
    return body
