"""Query-string filters shared by the apps' list endpoints."""
from __future__ import annotations

import django_filters
from django import forms

from lms.error_codes import PlatformErrorCode
from lms.fields import INT64_MESSAGE, int64_fits

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


class Int64NumberField(forms.DecimalField):
    """A number within the signed 64-bit range of the id columns (see ``lms.fields``)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not int64_fits(value):
            raise forms.ValidationError(INT64_MESSAGE, code=PlatformErrorCode.INVALID)


class Int64Filter(django_filters.NumberFilter):
    """An id or other integer filter: outside the 64-bit range is a 400 naming the filter, not a
    database overflow. Still a ``NumberFilter``, so the schema is unchanged."""

    field_class = Int64NumberField
