"""Query-string filters shared by the apps' list endpoints."""
from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.drainage import set_override

from lms.error_codes import PlatformErrorCode
from lms.fields import INT64_MAX, INT64_MESSAGE, INT64_MIN, int64_fits

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also 1/0, yes/no); anything else is a 400, not silently ignored."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code=PlatformErrorCode.INVALID)


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class Int64NumberField(forms.IntegerField):
    """A whole number within the signed 64-bit range of the id columns (see ``lms.fields``)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not int64_fits(value):
            raise forms.ValidationError(INT64_MESSAGE, code=PlatformErrorCode.INVALID)


class Int64Filter(django_filters.NumberFilter):
    """An id or other integer filter: outside the 64-bit range (or the filter's own ``min_value`` and
    ``max_value``) is a 400 naming the filter, not a database overflow. The schema states the bounds."""

    field_class = Int64NumberField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minimum = self.extra.get("min_value")
        maximum = self.extra.get("max_value")
        set_override(self, "field", {"type": "integer",
                                     "minimum": INT64_MIN if minimum is None else minimum,
                                     "maximum": INT64_MAX if maximum is None else maximum})
