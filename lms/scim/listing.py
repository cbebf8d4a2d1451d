"""A SCIM list answer: filter, page (startIndex, count) and project a list of documents."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lms.scim.errors import invalid_value
from lms.scim.filters import compile_filter
from lms.scim.representation import project
from lms.scim.schemas import DEFAULT_COUNT, LIST_RESPONSE, MAX_RESULTS


def _int(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise invalid_value(f"'{name}' must be an integer.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_value(f"'{name}' must be an integer.") from None


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    raise invalid_value(f"'{name}' must be a string.")


def list_response(documents: Iterable[dict], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params``: the query string, or the body of a POST .search (same names)."""
    text = _text(params.get("filter"), "filter")
    test = compile_filter(text) if text else None
    start = max(_int(params.get("startIndex"), "startIndex", 1), 1)
    count = min(max(_int(params.get("count"), "count", DEFAULT_COUNT), 0), MAX_RESULTS)
    matched = [document for document in documents if test is None or test(document)]
    page = matched[start - 1:start - 1 + count]
    attributes = _text(params.get("attributes"), "attributes")
    excluded = _text(params.get("excludedAttributes"), "excludedAttributes")
    return {
        "schemas": [LIST_RESPONSE], "totalResults": len(matched), "startIndex": start, "itemsPerPage": len(page),
        "Resources": [project(document, attributes, excluded) for document in page],
    }
