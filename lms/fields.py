"""Serializer fields shared by the apps."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "21:00",
                      "description": "A local wall-clock time, HH:MM or HH:MM:SS (no offset: the zone is "
                                     "the person's or the organization's)."})
class LocalTimeField(serializers.TimeField):
    """A time of day without an offset. OpenAPI's ``format: time`` means RFC 3339 full-time, which
    requires an offset, so the schema states the pattern instead."""
