"""What a client sent for a User or a Group, checked and reduced to the fields we store.

Identity providers differ: booleans may come as strings ("True", "false"), the enterprise extension's
attributes may come nested under its URN or as ``urn:...:User:employeeNumber`` keys, attribute names in
any case. Everything else is a 400 ``invalidValue`` (or ``invalidSyntax`` for a body that is no object).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.scim.errors import ScimError, ScimType, invalid_value
from lms.scim.filters import lookup
from lms.scim.schemas import ENTERPRISE, GROUP, USER

MAX_TEXT = 254
MAX_EMAILS = 10
MAX_MEMBERS = 10_000


def coerce_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise invalid_value(f"'{name}' must be a boolean.")


def _text(value: Any, name: str, *, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"'{name}' must be a string.")
    value = value.strip()
    if len(value) > limit or "\x00" in value:
        raise invalid_value(f"'{name}' is too long or holds a NUL character.")
    return value


def _object(value: Any, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_value(f"'{name}' must be an object.")
    return value


def body_object(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise ScimError("The body must be a JSON object.", scim_type=ScimType.INVALID_SYNTAX)
    return payload


def _enterprise(payload: dict) -> dict:
    """The enterprise extension's attributes, nested or given as full-URN keys."""
    values = dict(_object(lookup(payload, ENTERPRISE), ENTERPRISE))
    prefix = ENTERPRISE.lower() + ":"
    for key, value in payload.items():
        if key.lower().startswith(prefix):
            values[key[len(prefix):]] = value
    return values


@dataclass
class UserInput:
    user_name: str
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    emails: list[dict] = field(default_factory=list)
    active: bool = True
    employee_number: str = ""
    department: str = ""
    manager_id: str = ""

    @property
    def login_email(self) -> str:
        """The address that signs the person in: the primary one, else the first, else the userName."""
        primary = [email["value"] for email in self.emails if email.get("primary")]
        return (primary or [email["value"] for email in self.emails] or [self.user_name])[0]


def _emails(value: Any) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_EMAILS:
        raise invalid_value(f"'emails' must be a list of at most {MAX_EMAILS} objects.")
    emails = []
    for item in value:
        item = _object(item, "emails")
        address = _text(lookup(item, "value"), "emails.value")
        if not address:
            continue
        email: dict[str, Any] = {"value": address}
        if kind := _text(lookup(item, "type"), "emails.type", limit=32):
            email["type"] = kind
        if lookup(item, "primary") is not None:
            email["primary"] = coerce_bool(lookup(item, "primary"), "emails.primary")
        emails.append(email)
    if sum(1 for email in emails if email.get("primary")) > 1:
        raise invalid_value("Only one email may be primary.")
    return emails


def parse_user(payload: Any) -> UserInput:
    payload = body_object(payload)
    schemas = lookup(payload, "schemas")
    if schemas is not None and (not isinstance(schemas, list) or USER.lower() not in
                                {str(schema).lower() for schema in schemas}):
        raise ScimError(f"'schemas' must list {USER}.", scim_type=ScimType.INVALID_SYNTAX)
    user_name = _text(lookup(payload, "userName"), "userName")
    if not user_name:
        raise invalid_value("'userName' is required.")
    name = _object(lookup(payload, "name"), "name")
    enterprise = _enterprise(payload)
    manager = lookup(enterprise, "manager")
    manager_id = _text(lookup(manager, "value") if isinstance(manager, dict) else manager, "manager")
    active = lookup(payload, "active")
    return UserInput(
        user_name=user_name,
        external_id=_text(lookup(payload, "externalId"), "externalId"),
        given_name=_text(lookup(name, "givenName"), "name.givenName", limit=150),
        family_name=_text(lookup(name, "familyName"), "name.familyName", limit=150),
        display_name=_text(lookup(payload, "displayName"), "displayName"),
        emails=_emails(lookup(payload, "emails")),
        active=True if active is None else coerce_bool(active, "active"),
        employee_number=_text(lookup(enterprise, "employeeNumber"), "employeeNumber", limit=64),
        department=_text(lookup(enterprise, "department"), "department", limit=200),
        manager_id=manager_id,
    )


@dataclass
class GroupInput:
    display_name: str
    external_id: str = ""
    member_ids: list[str] = field(default_factory=list)


def parse_group(payload: Any) -> GroupInput:
    payload = body_object(payload)
    schemas = lookup(payload, "schemas")
    if schemas is not None and (not isinstance(schemas, list) or GROUP.lower() not in
                                {str(schema).lower() for schema in schemas}):
        raise ScimError(f"'schemas' must list {GROUP}.", scim_type=ScimType.INVALID_SYNTAX)
    display_name = _text(lookup(payload, "displayName"), "displayName", limit=200)
    if not display_name:
        raise invalid_value("'displayName' is required.")
    members = lookup(payload, "members") or []
    if not isinstance(members, list) or len(members) > MAX_MEMBERS:
        raise invalid_value(f"'members' must be a list of at most {MAX_MEMBERS} objects.")
    member_ids = []
    for member in members:
        member_id = _text(lookup(_object(member, "members"), "value"), "members.value")
        if not member_id:
            raise invalid_value("Every member needs a 'value'.")
        if member_id not in member_ids:
            member_ids.append(member_id)
    return GroupInput(display_name=display_name, external_id=_text(lookup(payload, "externalId"), "externalId",
                                                                   limit=64), member_ids=member_ids)
