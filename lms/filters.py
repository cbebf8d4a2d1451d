"""Query-string filters shared by the apps' list endpoints."""
from __future__ import annotations

import django_filters
from django import forms

from lms.error_codes import PlatformErrorCode

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
