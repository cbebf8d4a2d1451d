"""Serializer fields shared by the apps, and the 64-bit range every integer the API reads must fit.

Every id column is a signed 64-bit integer; SQLite's driver cannot even bind a larger Python int
(``OverflowError``, a 500), so an integer parameter or property outside that range is a 400 naming
it before any query: through ``Int64Field`` (serializers), ``lms.filters.Int64Filter``
(filtersets) and ``lms.pagination`` (``page`` and ``cursor``), which all ask ``int64_check``.
"""
from __future__ import annotations

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lms.error_codes import PlatformErrorCode

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT64_MESSAGE = f"A whole number from {INT64_MIN} to {INT64_MAX}."
_INTEGER_TEXT = re.compile(r"\s*[+-]?\d+\s*")


def int64_fits(value: int | Decimal | str) -> bool:
    """Whether ``value`` lies in the signed 64-bit range. Text that is not an integer is left to the
    caller's own checks (it fits, as far as this rule goes)."""
    if isinstance(value, str):
        if not _INTEGER_TEXT.fullmatch(value):
            return True
        value = int(value)
    return INT64_MIN <= value <= INT64_MAX


def int64_check(value: int | Decimal | str, name: str) -> None:
    """Refuse an integer outside the signed 64-bit range: a 400 whose ``fields`` name the parameter."""
    if not int64_fits(value):
        raise serializers.ValidationError({name: [INT64_MESSAGE]})


class Int64Field(serializers.IntegerField):
    """An integer within the signed 64-bit range: an id, or a list of ids (``ListField(child=Int64Field())``).
    Its bounds default to that range, so the OpenAPI schema states them (``minimum``, ``maximum``, ``format:
    int64``) and a schema-valid request is never refused for its size; a value outside the range is a 400
    naming the field before any query."""

    def __init__(self, **kwargs):
        minimum, maximum = kwargs.get("min_value"), kwargs.get("max_value")
        kwargs["min_value"] = INT64_MIN if minimum is None else max(minimum, INT64_MIN)
        kwargs["max_value"] = INT64_MAX if maximum is None else min(maximum, INT64_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not int64_fits(value):
            raise serializers.ValidationError(INT64_MESSAGE, code=PlatformErrorCode.INVALID)
        return value


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "21:00",
                      "description": "A local wall-clock time, HH:MM or HH:MM:SS (no offset: the zone is "
                                     "the person's or the organization's)."})
class LocalTimeField(serializers.TimeField):
    """A time of day without an offset. OpenAPI's ``format: time`` means RFC 3339 full-time, which
    requires an offset, so the schema states the pattern instead."""
