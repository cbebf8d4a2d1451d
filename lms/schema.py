"""OpenAPI customisation: component names for nested serializers, shared error responses."""
from __future__ import annotations

from drf_spectacular import openapi
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code."},
                "message": {"type": "string", "description": "A sentence for people."},
                "fields": {"type": "object", "additionalProperties": True,
                           "description": "Per-field problems, when the input had any."},
            },
        }
    },
}

COMMON = {
    "400": "The input does not match this schema (type, format, bounds, unknown property); `error.fields` "
           "says which.",
    "401": "Not signed in, or the token or API key is invalid, expired or revoked.",
    "403": "Signed in but not allowed (for example an API key trying to write).",
    "404": "Not found, or outside what the caller may see.",
    "405": "Method not allowed.",
    "413": "The request body is too large.",
    "422": "The input matches the schema but breaks a rule it cannot state (a date in the past, a file that "
           "is not of its kind, an id that does not exist); `error.code` and `error.fields` say which.",
    "409": "Conflicts with the current state (already done, closed, full, in use...); `error.code` says which.",
    "415": "Unsupported content type.",
    "429": "Throttled; the `Retry-After` header says how many seconds to wait.",
    "500": "Unexpected server error (logged).",
    "503": "A backing service (the database) is unavailable for a moment; nothing was saved. Send the same "
           "request again after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                if code == "413" and method in {"get", "delete"}:
                    continue
                if code == "415" and method in {"get", "delete"}:
                    continue
                if code == "409" and method == "get":
                    continue
                existing = responses.get(code)
                if existing and "content" in existing:
                    continue
                # A view may word a shared response for itself (OpenApiResponse with a description only).
                description = (existing or {}).get("description") or description
                responses[code] = {"content": {"application/json": {"schema": ref}}, "description": description}
                if code in ("429", "503"):
                    responses[code]["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                    }
    return result


def close_request_bodies(result, generator, request, public):
    """Request bodies take only their documented properties (``additionalProperties: false``), as the
    API's serializers enforce (``lms.serializers``)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return result


EMPTY_QUERY_VALUE = {"type": "string", "maxLength": 0}


def admit_empty_query_values(result, generator, request, public):
    """An optional query parameter sent empty (``?status=``, as an HTML form sends an untouched field)
    counts as not sent, across the API; each such parameter's schema says so."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or parameter.get("required") or "schema" not in parameter:
                    continue
                schema = parameter["schema"]
                if schema.get("type") == "array" or EMPTY_QUERY_VALUE in schema.get("anyOf", []):
                    continue
                parameter["schema"] = {"anyOf": [schema, EMPTY_QUERY_VALUE]}
    return result


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The text a DecimalField accepts: at least one digit, at most its whole and decimal digits, a sign
    only if it may be negative, and no more than a whole ``max_value`` (a score out of 100 stops at 100)."""
    places = field.decimal_places
    whole = "" if field.max_digits is None else str(field.max_digits - (places or 0))
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    only_fraction = rf"|\.\d{{1,{places}}}" if places else ""
    limit = _whole_limit(field)
    if limit is not None:
        zeros = rf"(?:\.0{{0,{places}}})?" if places else ""
        return rf"^{sign}(?:(?:{_whole_up_to(limit - 1)}){fraction}|{limit}{zeros}{only_fraction})$"
    return rf"^{sign}(?:\d{{1,{whole}}}{fraction}{only_fraction})$"


def _whole_limit(field: serializers.DecimalField) -> int | None:
    """A field's ``max_value`` when it is a whole number tighter than its digits allow and nothing below 0 is
    accepted (the only bound a pattern states here), else None."""
    maximum, minimum = field.max_value, field.min_value
    if maximum is None or minimum is None or minimum < 0 or maximum < 1 or maximum != int(maximum):
        return None
    if field.max_digits is not None and maximum >= 10 ** (field.max_digits - (field.decimal_places or 0)):
        return None
    return int(maximum)


def _whole_up_to(limit: int) -> str:
    """Alternatives matching the whole numbers from 0 to ``limit`` written in at most as many digits
    (``99``: ``\\d{1,1}|[0-8]\\d{1}|9[0-8]|99``)."""
    text = str(limit)
    alternatives = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for index, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - index - 1
            lower = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            alternatives.append(text[:index] + lower + (rf"\d{{{rest}}}" if rest else ""))
    alternatives.append(text)
    return "|".join(alternatives)


class AutoSchema(openapi.AutoSchema):
    """Names nested view serializers after their view (``MeApi.OutputSerializer`` -> ``MeOutput``),
    so the one-view-one-InputSerializer style never produces clashing components."""

    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:
            outer, inner = qualname.rsplit(".", 1)
            outer = outer.split(".")[-1].removesuffix("Api")
            return outer + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Bounds the generic mapping leaves out: a digit required in a decimal's text, a byte in an uploaded
        file, and the length limits of a nested list (``many=True``)."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and schema.get("type") == "string" and direction == "request":
            schema["pattern"] = decimal_pattern(field)
        if (isinstance(field, serializers.CharField) and not field.allow_blank and direction == "request"
                and schema.get("type") == "string"):
            schema.setdefault("minLength", 1)  # also for the items of a list
        if (isinstance(field, serializers.FileField) and not field.allow_empty_file and direction == "request"
                and schema.get("format") == "binary"):
            schema.setdefault("minLength", 1)  # an empty file is refused: at least one byte
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            elif not field.allow_empty:
                schema["minItems"] = 1
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        if isinstance(field, serializers.ListField) and schema.get("type") == "array":
            if not field.allow_empty:
                schema.setdefault("minItems", 1)
            if getattr(field, "unique_items", False):
                schema["uniqueItems"] = True
        return schema

    def get_description(self):
        """The view's description, then the error codes its operation can answer (``error_codes`` on the
        view: a tuple, or a dict by HTTP method), besides the generic ones every operation may answer."""
        description = super().get_description()
        codes = declared_error_codes(self.view, self.method)
        if not codes:
            return description
        listing = "\n".join(f"- `{code}`" for code in codes)
        return (description + "\n\n" if description else "") + "Error codes (`error.code`):\n\n" + listing


def declared_error_codes(view, method: str) -> tuple:
    codes = getattr(view, "error_codes", ())
    if isinstance(codes, dict):
        codes = codes.get(method.lower(), ())
    return tuple(codes)
