"""The base serializers of the API: input is read exactly as the OpenAPI schema describes it.

DRF on its own is lenient: ``{"last_name": 0}`` becomes ``"0"``, ``"yes"`` or ``1`` a boolean, ``"12"``
a number, and a property no field knows is dropped without a word. A client that sends the wrong
type, or misspells a field, then gets a 200 for something it did not mean. Every serializer of the
apps derives from ``Serializer`` or ``ModelSerializer`` here, which refuse (400, ``error.fields``
naming each property):

- a property the request does not take (unknown, misspelt or read-only); the schema says so with
  ``additionalProperties: false`` (``lms.schema``);
- in a JSON body, a value of another JSON type than the field's: text fields take strings, booleans
  ``true``/``false``, integers whole numbers (not ``"12"``, not ``true``), decimals a decimal string
  (``"1.5"``, exact, as the API writes them).

Form and multipart bodies (the upload endpoints) carry every value as text, so only the unknown
property rule applies to them; DRF's own field validation reads their text as before.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import fields, relations, serializers
from rest_framework.exceptions import ErrorDetail

UNKNOWN_PROPERTY = "This request does not take this property."
TEXT_FIELDS = (fields.CharField, fields.DateTimeField, fields.DateField, fields.TimeField, fields.DurationField,
               fields.UUIDField, relations.SlugRelatedField)
INTEGER_FIELDS = (fields.IntegerField, relations.PrimaryKeyRelatedField)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _choice_problem(field: fields.ChoiceField, value: Any) -> str | None:
    keys = list(field.choices)
    if keys and all(isinstance(key, str) for key in keys) and not isinstance(value, str):
        return "Must be a string."
    if keys and all(_is_whole(key) for key in keys) and not _is_whole(value):
        return "Must be a whole number."
    return None


def json_type_problem(field: fields.Field, value: Any) -> str | None:
    """Why ``value`` (read from JSON) is the wrong JSON type for ``field``, or None. ``null`` is left to
    the field (``allow_null``)."""
    if value is None:
        return None
    if isinstance(field, fields.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, fields.MultipleChoiceField):
        return None if isinstance(value, list) else "Must be a list."
    if isinstance(field, fields.ChoiceField):
        return _choice_problem(field, value)
    if isinstance(field, fields.DecimalField):  # as the API writes decimals: exact, in a string
        return None if isinstance(value, str) else 'Must be a decimal number in a string, such as "1.5".'
    if isinstance(field, INTEGER_FIELDS):
        return None if _is_whole(value) else "Must be a whole number."
    if isinstance(field, fields.FloatField):
        return None if _is_number(value) else "Must be a number."
    if isinstance(field, TEXT_FIELDS):
        return None if isinstance(value, str) else "Must be a string."
    if isinstance(field, fields.ListField):
        if not isinstance(value, list):
            return "Must be a list."
        problems = [json_type_problem(field.child, item) for item in value]
        return next((f"Item {index}: {problem}" for index, problem in enumerate(problems) if problem), None)
    if isinstance(field, relations.ManyRelatedField):
        if not isinstance(value, list):
            return "Must be a list."
        problems = [json_type_problem(field.child_relation, item) for item in value]
        return next((f"Item {index}: {problem}" for index, problem in enumerate(problems) if problem), None)
    if isinstance(field, fields.DictField):
        if not isinstance(value, dict):
            return "Must be an object."
        problems = [json_type_problem(field.child, item) for item in value.values()]
        return next((problem for problem in problems if problem), None)
    return None


def input_problems(serializer: serializers.Serializer, data: Any) -> dict[str, list[ErrorDetail]]:
    """The properties of ``data`` this serializer refuses before its fields validate them."""
    if not isinstance(data, Mapping):
        return {}
    writable = {name: field for name, field in serializer.fields.items() if not field.read_only}
    problems = {key: [ErrorDetail(UNKNOWN_PROPERTY, code="unknown_property")]
                for key in data if key not in writable}
    if isinstance(data, QueryDict):  # form or multipart: every value is text
        return problems
    for name, value in data.items():
        field = writable.get(name)
        problem = json_type_problem(field, value) if field is not None else None
        if problem:
            problems[name] = [ErrorDetail(problem, code="invalid_type")]
    return problems


def _recode_urls(serializer: Any, detail: dict) -> dict:
    """A URL refused by Django's validator (a host label over 63 characters, a scheme it does not take)
    may still be a URI as the schema's ``format: uri`` reads it: a rule, not the shape (422)."""
    recoded = dict(detail)
    for name, errors in detail.items():
        if isinstance(serializer.fields.get(name), fields.URLField) and isinstance(errors, list):
            recoded[name] = [ErrorDetail(str(item), code="invalid_url") if getattr(item, "code", None) == "invalid"
                             else item for item in errors]
    return recoded


# No docstrings on the classes below: the OpenAPI schema takes a serializer's description from the
# first docstring along its bases, and these would become the description of every serializer.
class StrictInput:
    # Refuses unknown properties and values of the wrong JSON type (see the module's docstring). A
    # serializer that reads a query string (``data=request.query_params``) sets ``reads_query_string``:
    # the query string also carries the pagination and format parameters it does not declare.
    reads_query_string = False

    def to_internal_value(self, data):
        problems = {} if self.reads_query_string else input_problems(self, data)  # type: ignore[arg-type]
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            # One answer names every problem: the fields' own, and the type and property ones.
            raise serializers.ValidationError({**_recode_urls(self, error.detail), **problems}) from None
        if problems:
            raise serializers.ValidationError(problems)
        return value


class Serializer(StrictInput, serializers.Serializer):
    pass


class ModelSerializer(StrictInput, serializers.ModelSerializer):
    pass
