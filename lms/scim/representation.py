"""Our people and departments as SCIM documents, their weak ETags, and ``attributes`` projection."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from lms.models import Department, ScimUser
from lms.scim.errors import ScimError, ScimType
from lms.scim.schemas import ENTERPRISE, GROUP, USER

ALWAYS_RETURNED = {"id", "schemas", "meta"}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def user_location(base: str, scim_id: Any) -> str:
    return f"{base}/Users/{scim_id}"


def group_location(base: str, scim_id: Any) -> str:
    return f"{base}/Groups/{scim_id}"


def _live_scim_user(membership) -> ScimUser | None:
    # Prefetched by the selectors (membership.scim_users holds the live record only).
    records = list(membership.scim_users.all()) if membership is not None else []
    return records[0] if records else None


def user_document(record: ScimUser, base: str) -> dict[str, Any]:
    membership = record.membership
    manager = _live_scim_user(membership.manager)
    enterprise = _clean({
        "employeeNumber": membership.employee_id,
        "department": membership.department.name if membership.department else "",
        "manager": _clean({
            "value": str(manager.scim_id), "$ref": user_location(base, manager.scim_id),
        }) if manager else None,
    })
    document = _clean({
        "schemas": [USER, ENTERPRISE] if enterprise else [USER],
        "id": str(record.scim_id),
        "externalId": record.external_id,
        "userName": record.user_name,
        "name": _clean({"givenName": record.given_name, "familyName": record.family_name}),
        "displayName": record.display_name,
        "emails": record.emails,
        ENTERPRISE: enterprise,
    })
    document["active"] = membership.is_active
    last_modified = max(record.updated_at, membership.updated_at)
    document["meta"] = {
        "resourceType": "User", "created": record.created_at.isoformat(),
        "lastModified": last_modified.isoformat(), "location": user_location(base, record.scim_id),
    }
    document["meta"]["version"] = etag_of(document)
    return document


def group_document(department: Department, members: list[ScimUser], base: str) -> dict[str, Any]:
    document = _clean({
        "schemas": [GROUP],
        "id": str(department.scim_id),
        "externalId": department.code,
        "displayName": department.name,
        "members": [
            {"value": str(member.scim_id), "$ref": user_location(base, member.scim_id), "type": "User"}
            for member in sorted(members, key=lambda member: str(member.scim_id))
        ],
    })
    document["meta"] = {
        "resourceType": "Group", "created": department.created_at.isoformat(),
        "lastModified": department.created_at.isoformat(), "location": group_location(base, department.scim_id),
    }
    document["meta"]["version"] = etag_of(document)
    return document


def etag_of(document: dict[str, Any]) -> str:
    """A weak ETag over everything the document says except its meta."""
    content = {key: value for key, value in document.items() if key != "meta"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _parse_attribute_list(text: str | None) -> list[tuple[str, str | None]]:
    """``name.givenName,urn:...:User:employeeNumber`` as (top-level key, sub-attribute) pairs, lower case."""
    pairs = []
    for raw in (text or "").split(","):
        item = raw.strip()
        if not item:
            continue
        lowered = item.lower()
        if lowered.startswith(ENTERPRISE.lower() + ":"):
            pairs.append((ENTERPRISE.lower(), lowered[len(ENTERPRISE) + 1:]))
            continue
        for core in (USER.lower(), GROUP.lower()):
            if lowered.startswith(core + ":"):
                lowered = lowered[len(core) + 1:]
        top, _, sub = lowered.partition(".")
        if not top:
            raise ScimError(f"Invalid attribute name: {item}.", scim_type=ScimType.INVALID_VALUE)
        pairs.append((top, sub or None))
    return pairs


def project(document: dict[str, Any], attributes: str | None, excluded: str | None) -> dict[str, Any]:
    """Apply the ``attributes`` or ``excludedAttributes`` query parameters (RFC 7644 3.9)."""
    if attributes:
        wanted = _parse_attribute_list(attributes)
        result: dict[str, Any] = {}
        for key, value in document.items():
            lowered = key.lower()
            if lowered in ALWAYS_RETURNED:
                result[key] = value
                continue
            subs = [sub for top, sub in wanted if top == lowered]
            if not subs:
                continue
            if None in subs or not isinstance(value, dict | list):
                result[key] = value
            else:
                result[key] = _pick(value, set(subs))
        return result
    if excluded:
        unwanted = _parse_attribute_list(excluded)
        result = {}
        for key, value in document.items():
            lowered = key.lower()
            subs = [sub for top, sub in unwanted if top == lowered]
            if lowered in ALWAYS_RETURNED or not subs:
                result[key] = value
            elif None not in subs and isinstance(value, dict | list):
                result[key] = _drop(value, set(subs))
        return result
    return document


def _pick(value: Any, subs: set[str]) -> Any:
    if isinstance(value, list):
        return [_pick(item, subs) for item in value]
    return {key: item for key, item in value.items() if key.lower() in subs}


def _drop(value: Any, subs: set[str]) -> Any:
    if isinstance(value, list):
        return [_drop(item, subs) for item in value]
    return {key: item for key, item in value.items() if key.lower() not in subs}
