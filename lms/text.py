"""Text no database should be given: a NUL character (PostgreSQL refuses it in text and JSON; SQLite
keeps it, and no export or page expects it) or an unpaired UTF-16 surrogate (not encodable as UTF-8)."""
from __future__ import annotations

from typing import Any


def unstorable_reason(text: str) -> str | None:
    if "\x00" in text:
        return "Text may not contain NUL characters (\\u0000)."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Text may not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)."
    return None


def find_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """(dotted path, reason) of the first unstorable string in a JSON-like value, keys included."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        return (path or "non_field_errors", reason) if reason else None
    if isinstance(value, dict):
        for key, child in value.items():
            where = f"{path}.{key}" if path else str(key)
            reason = unstorable_reason(str(key))
            found = (where.encode("utf-8", "backslashreplace").decode(), reason) if reason else \
                find_unstorable(child, where)
            if found:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = find_unstorable(child, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None
