"""Request parsers of the API."""
from __future__ import annotations

import io
import re
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# In JSON text, a NUL or a lone UTF-16 surrogate can only arrive escaped; only then is the parsed
# document walked (paired surrogates, e.g. emoji written as two escapes, are decoded into one
# character and pass).
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _unstorable(text: str) -> str | None:
    if "\x00" in text:
        return "Text may not contain NUL characters (\\u0000)."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Text may not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)."
    return None


def _find_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    if isinstance(value, str):
        problem = _unstorable(value)
        return (path or "non_field_errors", problem) if problem else None
    if isinstance(value, dict):
        for key, child in value.items():
            where = f"{path}.{key}" if path else str(key)
            problem = _unstorable(key)
            found = (where.encode("utf-8", "backslashreplace").decode(), problem) if problem else \
                _find_unstorable(child, where)
            if found:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = _find_unstorable(child, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with two refusals (400s) for documents no database can take as text:

    - JSON nested deeper than Python can recurse (``[[[[...]]]]`` a hundred thousand times, in a
      body well under the size limit) is a parse error instead of a crash;
    - a NUL character or an unpaired surrogate anywhere (keys included) is refused with the path of
      the value, so free-form JSON fields cannot carry them to PostgreSQL (which rejects both) or
      to SQLite (which would keep a NUL that no export or page expects).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        if _SUSPECT_ESCAPE.search(raw):
            found = _find_unstorable(data)
            if found:
                path, message = found
                raise ValidationError({path: [message]})
        return data
