"""Odd input on every SCIM endpoint and method: always a SCIM-shaped 4xx (or a success), never a 500."""
from __future__ import annotations

import json

import pytest

from tests.lms.scim.conftest import ENTERPRISE, GROUP, PATCH, USER, created, group_created, user_body

pytestmark = pytest.mark.django_db

ODD_BODIES = [
    None, 0, "text", [], [None], {}, {"schemas": None}, {"schemas": [USER], "userName": None},
    {"schemas": [USER], "userName": ["a"]}, {"schemas": [USER], "userName": {"a": 1}},
    {"schemas": [USER], "userName": "a", "emails": [None, 1, "x"]},
    {"schemas": [USER], "userName": "a", "emails": [{"value": 5}]},
    {"schemas": [USER], "userName": "a", ENTERPRISE: "x"},
    {"schemas": [USER], "userName": "a", ENTERPRISE: {"manager": 5}},
    {"schemas": [USER], "userName": "a", ENTERPRISE: {"manager": {"value": ["x"]}}},
    {"schemas": [USER], "userName": "a", ENTERPRISE: {"department": {"x": 1}}},
    {"schemas": [USER], "userName": "a", ENTERPRISE: {"employeeNumber": "x" * 100}},
    {"schemas": [GROUP], "displayName": "g", "members": "x"},
    {"schemas": [GROUP], "displayName": "g", "members": [1]},
    {"schemas": [GROUP], "displayName": "g", "members": [{"value": 1}]},
    {"schemas": [GROUP], "displayName": "g", "members": [{}]},
    {"schemas": [PATCH], "Operations": None},
    {"schemas": [PATCH], "Operations": [None]},
    {"schemas": [PATCH], "Operations": [{"op": 1}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": 5, "value": 1}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [1, None]}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "value": [1]}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name", "value": "x"}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name.givenName.x", "value": "x"}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "emails.value", "value": "x"}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": "emails[value pr]", "value": "x"}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": f"{ENTERPRISE}", "value": 3}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "urn:nope:x", "value": 3}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "emails", "value": {"value": "a@b.example"}}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members[value eq \"x\"].value", "value": "y"}]},
    {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "emails[type eq \"work\"].value"}]},
    {"filter": {"a": 1}}, {"startIndex": "x"}, {"count": True}, {"attributes": [1]},
]


@pytest.fixture
def targets(scim):
    user = created(scim, user_body("ana@example.com"))
    group = group_created(scim, "Care", [user["id"]])
    return ["/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/.search", "/scim/v2/Users/.search",
            "/scim/v2/Groups/.search", f"/scim/v2/Users/{user['id']}", f"/scim/v2/Groups/{group['id']}"]


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_odd_bodies_never_crash(scim, targets, method):
    for path in targets:
        for body in ODD_BODIES:
            response = scim.send(method, path, json.dumps(body))
            assert response.status_code < 500, (method, path, body, response.content)
            if response.status_code >= 400:
                assert response.json()["status"] == str(response.status_code)


@pytest.mark.parametrize("query", [
    "filter=" + "(" * 200 + 'userName eq "a"' + ")" * 200, "filter=emails[type eq \"work\"", "filter=meta.created gt 5",
    "filter=name pr", "filter=members[value eq \"x\"] and displayName sw \"C\"", "attributes=,,,", "attributes=.x",
    "excludedAttributes=urn:x:y", "count=-5", "startIndex=-5", "count=99999999999999999999",
    "filter=userName eq \"\\\"\"", "filter=x eq null", "filter=urn:x:y:z eq \"a\"",
])
def test_odd_queries_never_crash(scim, targets, query):
    for path in targets[:2]:
        response = scim.send("get", f"{path}?{query}")
        assert response.status_code < 500, (path, query, response.content)
