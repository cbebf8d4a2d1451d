"""What the service provider publishes about itself: its configuration, resource types and schemas.

The schemas list exactly the attributes we store; anything else a client sends is ignored, as SCIM allows.
"""
from __future__ import annotations

from typing import Any

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

MAX_RESULTS = 200  # the most resources one list page holds
DEFAULT_COUNT = 100


def _attribute(name: str, description: str, *, kind: str = "string", multi: bool = False, required: bool = False,
               mutability: str = "readWrite", uniqueness: str = "none", returned: str = "default",
               sub: list[dict] | None = None, reference_types: list[str] | None = None,
               canonical: list[str] | None = None) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name, "type": kind, "multiValued": multi, "description": description, "required": required,
        "caseExact": False, "mutability": mutability, "returned": returned, "uniqueness": uniqueness,
    }
    if sub is not None:
        attribute["subAttributes"] = sub
    if reference_types is not None:
        attribute["referenceTypes"] = reference_types
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    return attribute


USER_ATTRIBUTES = [
    _attribute("userName", "The identity provider's unique name for the person in this organization.",
               required=True, uniqueness="server"),
    _attribute("name", "The person's name as this organization gives it.", kind="complex", sub=[
        _attribute("givenName", "Given name."),
        _attribute("familyName", "Family name."),
    ]),
    _attribute("displayName", "The name to show."),
    _attribute("emails", "Email addresses; the primary (or first) one signs the person in.", kind="complex",
               multi=True, sub=[
                   _attribute("value", "The address."),
                   _attribute("type", "work, home or other.", canonical=["work", "home", "other"]),
                   _attribute("primary", "The preferred address.", kind="boolean"),
               ]),
    # Required so that it is always there to read; a create without it is taken as active.
    _attribute("active", "False deactivates the membership: history is kept, reminders stop.", kind="boolean",
               required=True),
]

ENTERPRISE_ATTRIBUTES = [
    _attribute("employeeNumber", "The HR system's employee id, unique in the organization."),
    _attribute("department", "The department's name; an unknown name creates the department."),
    _attribute("manager", "The person's manager, a User of the same organization.", kind="complex", sub=[
        _attribute("value", "The manager's id."),
        _attribute("$ref", "The manager's URI.", kind="reference", reference_types=["User"]),
    ]),
]

GROUP_ATTRIBUTES = [
    _attribute("displayName", "The department's name.", required=True, uniqueness="server"),
    _attribute("members", "The department's people (a person belongs to one department at a time).",
               kind="complex", multi=True, sub=[
                   _attribute("value", "The member's id.", mutability="immutable"),
                   _attribute("$ref", "The member's URI.", kind="reference", reference_types=["User"],
                              mutability="immutable"),
                   _attribute("type", "Always User.", canonical=["User"], mutability="immutable"),
               ]),
]

_SCHEMAS = {
    USER: ("User", "A member of the organization.", USER_ATTRIBUTES),
    ENTERPRISE: ("EnterpriseUser", "HR attributes of a member.", ENTERPRISE_ATTRIBUTES),
    GROUP: ("Group", "A department of the organization.", GROUP_ATTRIBUTES),
}


def _meta(base: str, resource_type: str, path: str) -> dict[str, str]:
    return {"resourceType": resource_type, "location": f"{base}/{path}"}


def schema_documents(base: str) -> list[dict[str, Any]]:
    return [
        {"schemas": [SCHEMA], "id": urn, "name": name, "description": description, "attributes": attributes,
         "meta": _meta(base, "Schema", f"Schemas/{urn}")}
        for urn, (name, description, attributes) in _SCHEMAS.items()
    ]


def resource_type_documents(base: str) -> list[dict[str, Any]]:
    return [
        {"schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users",
         "description": "The organization's people.", "schema": USER,
         "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
         "meta": _meta(base, "ResourceType", "ResourceTypes/User")},
        {"schemas": [RESOURCE_TYPE], "id": "Group", "name": "Group", "endpoint": "/Groups",
         "description": "The organization's departments.", "schema": GROUP, "schemaExtensions": [],
         "meta": _meta(base, "ResourceType", "ResourceTypes/Group")},
    ]


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": f"{base.rsplit('/scim/', 1)[0]}/api/docs/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Organization API key",
            "description": "An organization API key with the scim:write scope, sent as "
                           "'Authorization: Bearer <key>' (or 'Api-Key <key>').",
            "primary": True,
        }],
        "meta": _meta(base, "ServiceProviderConfig", "ServiceProviderConfig"),
    }
