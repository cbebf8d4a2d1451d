"""OpenAPI customisation: component names for nested serializers, shared error responses."""
from __future__ import annotations

from drf_spectacular import openapi

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
    "400": "The input breaks a rule; `error.fields` says which.",
    "401": "Not signed in, or the token or API key is invalid, expired or revoked.",
    "403": "Signed in but not allowed (for example an API key trying to write).",
    "404": "Not found, or outside what the caller may see.",
    "405": "Method not allowed.",
    "413": "The request body is too large.",
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
