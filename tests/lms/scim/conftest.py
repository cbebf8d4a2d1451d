import pytest
from rest_framework.test import APIClient

from lms.models import ApiKeyScope
from tests import factories

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimClient(APIClient):
    """Sends JSON bodies as application/scim+json, as identity providers do."""

    def generic(self, method, path, data="", content_type=SCIM, secure=False, **extra):
        return super().generic(method, path, data, content_type, secure, **extra)

    def send(self, method: str, path: str, body=None, **headers):
        import json

        data = "" if body is None else (body if isinstance(body, str | bytes) else json.dumps(body))
        return self.generic(method.upper(), path, data, **{f"HTTP_{k.upper().replace('-', '_')}": v
                                                           for k, v in headers.items()})


def scim_client_for(organization, scopes=(ApiKeyScope.SCIM_WRITE,), scheme="Bearer") -> ScimClient:
    _, raw = factories.api_key_for(organization, name="IdP", scopes=list(scopes))
    client = ScimClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
    return client


@pytest.fixture
def scim(org):
    return scim_client_for(org)


@pytest.fixture
def scim_b(other_org):
    return scim_client_for(other_org)


def user_body(user_name: str, email: str | None = None, **extra) -> dict:
    body = {"schemas": [USER, ENTERPRISE], "userName": user_name,
            "name": {"givenName": "Ana", "familyName": "Lima"},
            "emails": [{"value": email or user_name, "type": "work", "primary": True}], "active": True}
    body.update(extra)
    return body


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    """The response is ``status`` in SCIM's error shape, as application/scim+json."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(SCIM), response["Content-Type"]
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], body
    assert body["status"] == str(status), body
    assert isinstance(body["detail"], str) and body["detail"], body
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body


def created(client, body: dict) -> dict:
    response = client.send("post", "/scim/v2/Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def group_created(client, name: str, members=()) -> dict:
    response = client.send("post", "/scim/v2/Groups", {"schemas": [GROUP], "displayName": name,
                                                        "members": [{"value": m} for m in members]})
    assert response.status_code == 201, response.content
    return response.json()


def patch_body(*operations: dict) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}
