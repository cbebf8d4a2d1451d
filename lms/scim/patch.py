"""PATCH (RFC 7644 3.5.2) applied to a SCIM document, giving the document to store.

Written for what identity providers send: ``op`` in any case ("Replace", "Add"), no path and an object
of attributes (some keyed by full URN), value paths with filters (``emails[type eq "work"].value``),
``members`` added and removed as lists. The result goes through the same checks as a PUT.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from lms.scim.errors import ScimError, ScimType, invalid_value
from lms.scim.filters import element_filter, lookup
from lms.scim.inputs import body_object
from lms.scim.schemas import ENTERPRISE, GROUP, PATCH_OP, USER

MAX_OPERATIONS = 1000
MULTI_VALUED = {"emails", "members"}
_PATH = re.compile(r"^(?P<attr>[A-Za-z$][\w$-]*)(?:\[(?P<filter>.+)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$")
_SIMPLE_EQ = re.compile(r'^\s*(\w+)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


def _no_target(detail: str) -> ScimError:
    return ScimError(detail, scim_type=ScimType.NO_TARGET)


def _invalid_path(path: str) -> ScimError:
    return ScimError(f"Invalid path: {path}.", scim_type=ScimType.INVALID_PATH)


def operations_of(payload: Any) -> list[dict]:
    payload = body_object(payload)
    schemas = lookup(payload, "schemas")
    if not isinstance(schemas, list) or PATCH_OP.lower() not in {str(schema).lower() for schema in schemas}:
        raise ScimError(f"'schemas' must list {PATCH_OP}.", scim_type=ScimType.INVALID_SYNTAX)
    operations = lookup(payload, "Operations")
    if not isinstance(operations, list) or not operations or len(operations) > MAX_OPERATIONS:
        raise ScimError(f"'Operations' must hold 1 to {MAX_OPERATIONS} operations.",
                        scim_type=ScimType.INVALID_SYNTAX)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError("Each operation must be an object.", scim_type=ScimType.INVALID_SYNTAX)
        op = lookup(operation, "op")
        if not isinstance(op, str) or op.lower() not in {"add", "replace", "remove"}:
            raise invalid_value("'op' must be add, replace or remove.")
        path = lookup(operation, "path")
        if path is not None and not isinstance(path, str):
            raise _invalid_path(str(path))
    return operations


def apply_patch(document: dict, payload: Any) -> dict:
    """The document after the operations in ``payload``, in order; the original is left as it was."""
    result = copy.deepcopy(document)
    for operation in operations_of(payload):
        op = lookup(operation, "op").lower()
        path = (lookup(operation, "path") or "").strip()
        value = lookup(operation, "value")
        if not path:
            if op == "remove":
                raise _no_target("A remove needs a path.")
            _apply_without_path(result, op, value)
        else:
            _apply(result, op, path, value)
    return result


def _apply_without_path(document: dict, op: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise invalid_value("Without a path, the value must be an object of attributes.")
    for key, item in value.items():
        if key.lower() == ENTERPRISE.lower() and isinstance(item, dict):
            for sub_key, sub_item in item.items():
                _apply(document, op, f"{ENTERPRISE}:{sub_key}", sub_item)
        elif key.lower() != "schemas":
            _apply(document, op, key, item)


def _container(document: dict, path: str) -> tuple[dict, str]:
    lowered = path.lower()
    if lowered.startswith(ENTERPRISE.lower() + ":"):
        key = _key(document, ENTERPRISE)
        document.setdefault(key, {})
        if not isinstance(document[key], dict):
            document[key] = {}
        return document[key], path[len(ENTERPRISE) + 1:]
    for core in (USER, GROUP):
        if lowered.startswith(core.lower() + ":"):
            return document, path[len(core) + 1:]
    return document, path


def _key(target: dict, name: str) -> str:
    """The key already used for ``name`` (any case), or ``name`` itself."""
    lowered = name.lower()
    return next((key for key in target if key.lower() == lowered), name)


def _apply(document: dict, op: str, path: str, value: Any) -> None:
    if path.lower() == ENTERPRISE.lower():  # the whole extension at once
        key = _key(document, ENTERPRISE)
        if op == "remove":
            document.pop(key, None)
        elif not isinstance(value, dict):
            raise invalid_value("The value of the enterprise extension must be an object.")
        elif op == "add" and isinstance(document.get(key), dict):
            document[key].update(value)
        else:
            document[key] = value
        return
    target, rest = _container(document, path)
    match = _PATH.match(rest)
    if match is None:
        raise _invalid_path(path)
    attr, filter_text, sub = match["attr"], match["filter"], match["sub"]
    key = _key(target, attr)
    if filter_text is not None:
        _apply_filtered(target, key, op, filter_text, sub, value)
    elif sub is not None:
        _apply_sub(target, key, op, sub, value, path)
    elif op == "remove":
        _remove(target, key, value)
    elif op == "add" and key.lower() in MULTI_VALUED:
        items = target.get(key) or []
        added = value if isinstance(value, list) else [value]
        if any(_is_primary(item) for item in added):  # a new primary value takes over (RFC 7644 3.5.2.1)
            for item in items:
                if isinstance(item, dict):
                    item.pop(_key(item, "primary"), None)
        for item in added:
            if item not in items and not _same_member(items, item):
                items.append(item)
        target[key] = items
    elif op == "add" and isinstance(value, dict) and isinstance(target.get(key), dict):
        target[key].update(value)
    else:
        target[key] = value


def _is_primary(item: Any) -> bool:
    primary = lookup(item, "primary") if isinstance(item, dict) else None
    return primary is True or (isinstance(primary, str) and primary.lower() == "true")


def _same_member(items: list, item: Any) -> bool:
    value = lookup(item, "value") if isinstance(item, dict) else None
    return value is not None and any(isinstance(old, dict) and lookup(old, "value") == value for old in items)


def _apply_sub(target: dict, key: str, op: str, sub: str, value: Any, path: str) -> None:
    if key.lower() in MULTI_VALUED:
        raise _invalid_path(path)
    parent = target.get(key)
    if not isinstance(parent, dict):
        if op == "remove":
            return
        parent = target[key] = {}
    sub_key = _key(parent, sub)
    if op == "remove":
        parent.pop(sub_key, None)
    else:
        parent[sub_key] = value


def _apply_filtered(target: dict, key: str, op: str, filter_text: str, sub: str | None, value: Any) -> None:
    test = element_filter(filter_text)
    items = target.get(key) or []
    if not isinstance(items, list):
        raise _no_target(f"'{key}' holds no list to filter.")
    matched = [item for item in items if isinstance(item, dict) and test(item)]
    if op == "remove":
        if sub is None:
            target[key] = [item for item in items if item not in matched]
        else:
            for item in matched:
                item.pop(_key(item, sub), None)
        return
    if not matched:
        simple = _SIMPLE_EQ.match(filter_text)
        if op == "replace" and simple is None:
            raise _no_target(f"No element of '{key}' matches {filter_text}.")
        # Add (or replace) of an element that does not exist yet: create it from the filter's condition.
        element = {simple[1]: simple[2]} if simple else {}
        items.append(element)
        target[key] = items
        matched = [element]
    for item in matched:
        if sub is not None:
            item[_key(item, sub)] = value
        elif isinstance(value, dict):
            item.update(value)
        else:
            raise invalid_value(f"The value for '{key}[...]' must be an object.")


def _remove(target: dict, key: str, value: Any) -> None:
    if key.lower() in MULTI_VALUED and isinstance(value, list | dict):
        # members removed by value: {"op": "remove", "path": "members", "value": [{"value": "id"}]}
        gone = {lookup(item, "value") for item in (value if isinstance(value, list) else [value])
                if isinstance(item, dict)}
        target[key] = [item for item in target.get(key) or []
                       if not (isinstance(item, dict) and lookup(item, "value") in gone)]
        return
    target.pop(key, None)
