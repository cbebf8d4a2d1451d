"""Every failure under /scim/v2/ answers in SCIM's error shape with the right status, never a 500."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lms.models import ApiKeyScope
from lms.scim.api import ScimView
from tests.lms.scim.conftest import (
    GROUP,
    USER,
    ScimClient,
    assert_scim_error,
    created,
    scim_client_for,
    user_body,
)

pytestmark = pytest.mark.django_db


def test_without_credentials_or_with_a_bad_key_it_is_401(org):
    response = ScimClient().send("get", "/scim/v2/Users")
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    anonymous = ScimClient()
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert_scim_error(anonymous.send("get", "/scim/v2/Users"), 401)


def test_a_key_without_the_scim_scope_is_403(org):
    for scopes in ([ApiKeyScope.REPORTS_READ], [ApiKeyScope.PEOPLE_READ, ApiKeyScope.REPORTS_READ]):
        assert_scim_error(scim_client_for(org, scopes=scopes).send("get", "/scim/v2/Users"), 403)


def test_a_personal_token_is_not_a_scim_credential(org):
    from tests import factories

    _, raw = factories.token_for(factories.member(org, "org_admin"))
    client = ScimClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_scim_error(client.send("get", "/scim/v2/Users"), 401)


def test_the_api_key_scheme_works_too(org):
    assert scim_client_for(org, scheme="Api-Key").send("get", "/scim/v2/Users").status_code == 200


def test_unknown_addresses_and_ids_are_404(scim):
    for path in ("/scim/v2/Nope", "/scim/v2/Users/not-a-uuid", "/scim/v2/Groups/00000000-0000-0000-0000-000000000000",
                 "/scim/v2/Schemas/urn:nope", "/scim/v2/ResourceTypes/Nope", "/scim/v2/Users/a/b"):
        assert_scim_error(scim.send("get", path), 404)
    assert_scim_error(ScimClient().send("get", "/scim/v2/Nope"), 404)


def test_a_method_the_endpoint_does_not_take_is_405(scim):
    assert_scim_error(scim.send("delete", "/scim/v2/Users"), 405)
    assert_scim_error(scim.send("post", "/scim/v2/ServiceProviderConfig", {}), 405)


@pytest.mark.parametrize("body", ['{"userName": ', "[1, 2", "\x00"])
def test_malformed_json_is_invalid_syntax(scim, body):
    assert_scim_error(scim.send("post", "/scim/v2/Users", body), 400, "invalidSyntax")


def test_a_body_of_another_media_type_is_refused(scim):
    response = scim.generic("POST", "/scim/v2/Users", "userName=x", content_type="application/x-www-form-urlencoded")
    assert_scim_error(response, 415)


@pytest.mark.parametrize(("body", "scim_type"), [
    ([], "invalidSyntax"),
    ({"schemas": [GROUP], "userName": "x"}, "invalidSyntax"),
    ({"schemas": [USER]}, "invalidValue"),
    ({"schemas": [USER], "userName": 5}, "invalidValue"),
    ({"schemas": [USER], "userName": "x" * 300}, "invalidValue"),
    ({"schemas": [USER], "userName": "x", "active": "yes"}, "invalidValue"),
    ({"schemas": [USER], "userName": "x", "emails": "a@b.example"}, "invalidValue"),
    ({"schemas": [USER], "userName": "x", "emails": [{"value": "a@b.example", "primary": True},
                                                     {"value": "c@b.example", "primary": True}]}, "invalidValue"),
    ({"schemas": [USER], "userName": "x", "name": "Ana"}, "invalidValue"),
    ({"schemas": [USER], "userName": "x\u0000y"}, "invalidValue"),
])
def test_bad_users_are_400_with_a_scim_type_and_write_nothing(scim, body, scim_type):
    assert_scim_error(scim.send("post", "/scim/v2/Users", body), 400, scim_type)
    assert scim.send("get", "/scim/v2/Users").json()["totalResults"] == 0


@pytest.mark.parametrize("query", ["filter=userName%20zz%20%22a%22", "filter=(", "filter=userName%20eq",
                                   "filter=" + "a" * 3000])
def test_bad_filters_are_invalid_filter(scim, query):
    assert_scim_error(scim.send("get", f"/scim/v2/Users?{query}"), 400, "invalidFilter")


@pytest.mark.parametrize("query", ["count=x", "startIndex=1.5"])
def test_bad_paging_is_invalid_value(scim, query):
    assert_scim_error(scim.send("get", f"/scim/v2/Users?{query}"), 400, "invalidValue")


def test_the_search_endpoint_checks_its_body(scim):
    assert_scim_error(scim.send("post", "/scim/v2/Users/.search", {"filter": 5}), 400, "invalidValue")
    assert_scim_error(scim.send("post", "/scim/v2/.search", "[]"), 400, "invalidSyntax")


def test_a_conflicting_employee_number_is_uniqueness(scim):
    created(scim, user_body("a@example.com", **{
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"}}))
    response = scim.send("post", "/scim/v2/Users", user_body("b@example.com", **{
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"}}))
    assert_scim_error(response, 409, "uniqueness")
    assert scim.send("get", "/scim/v2/Users").json()["totalResults"] == 1


def test_throttled_requests_get_a_scim_429(scim, settings, monkeypatch):
    monkeypatch.setitem(ScimView.throttle_classes[0].THROTTLE_RATES, "api_key", "2/min")
    statuses = [scim.send("get", "/scim/v2/Users").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    response = scim.send("get", "/scim/v2/Users")
    assert_scim_error(response, 429)
    assert int(response["Retry-After"]) >= 1


def test_the_rest_of_the_api_keeps_its_own_error_shape(org):
    response = APIClient().get("/api/v1/nope/")
    assert set(response.json()) == {"error"}
