"""PATCH as the big identity providers send it: each quirk has its test."""
from __future__ import annotations

import pytest

from lms.models import Membership
from tests.lms.scim.conftest import ENTERPRISE, USER, assert_scim_error, created, group_created, patch_body, user_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(scim):
    body = user_body("ana@example.com")
    body["emails"].append({"value": "ana@home.example", "type": "home"})
    return created(scim, body)


def _patch(client, document: dict, *operations: dict, kind: str = "Users") -> dict:
    response = client.send("patch", f"/scim/v2/{kind}/{document['id']}", patch_body(*operations))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("op", ["replace", "Replace", "REPLACE"])
def test_op_is_read_in_any_case(scim, ana, op):
    assert _patch(scim, ana, {"op": op, "path": "displayName", "value": "Ana"})["displayName"] == "Ana"


@pytest.mark.parametrize(("value", "active"), [("False", False), ("false", False), (False, False), ("True", True)])
def test_active_as_a_string_boolean_deactivates_and_reactivates(scim, ana, org, value, active):
    patched = _patch(scim, ana, {"op": "Replace", "path": "active", "value": value})
    assert patched["active"] is active
    assert Membership.objects.get(organization=org).is_active is active


def test_no_path_with_an_object_and_string_booleans(scim, ana, org):
    patched = _patch(scim, ana, {"op": "Replace", "value": {"active": "False", "displayName": "A. Lima"}})
    assert (patched["active"], patched["displayName"]) == (False, "A. Lima")


def test_value_path_filter_replaces_one_email(scim, ana):
    patched = _patch(scim, ana, {"op": "replace", "path": 'emails[type eq "work"].value',
                                 "value": "ana.lima@example.com"})
    assert sorted(email["value"] for email in patched["emails"]) == ["ana.lima@example.com", "ana@home.example"]


def test_value_path_filter_adds_an_email_of_a_type_not_yet_there(scim, ana):
    patched = _patch(scim, ana, {"op": "add", "path": 'emails[type eq "other"].value', "value": "a@x.example"})
    assert {"type": "other", "value": "a@x.example"} in patched["emails"]


def test_value_path_filter_removes_one_email(scim, ana):
    patched = _patch(scim, ana, {"op": "remove", "path": 'emails[type eq "home"]'})
    assert [email["type"] for email in patched["emails"]] == ["work"]


def test_replace_on_a_filter_that_matches_nothing_is_no_target(scim, ana):
    response = scim.send("patch", f"/scim/v2/Users/{ana['id']}", patch_body(
        {"op": "replace", "path": 'emails[type eq "work" and primary eq false].value', "value": "x@y.example"}))
    assert_scim_error(response, 400, "noTarget")


def test_enterprise_attributes_by_full_urn_path_and_as_urn_keys(scim, ana, org):
    boss = created(scim, user_body("boss@example.com"))
    patched = _patch(
        scim, ana,
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Care"},
        # Entra sends the manager's id as a bare string
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": boss["id"]},
        {"op": "Replace", "value": {f"{ENTERPRISE}:employeeNumber": "E-1", "name.givenName": "Anna"}},
    )
    assert patched[ENTERPRISE]["department"] == "Care" and patched[ENTERPRISE]["employeeNumber"] == "E-1"
    assert patched[ENTERPRISE]["manager"]["value"] == boss["id"]
    assert patched["name"]["givenName"] == "Anna"
    membership = Membership.objects.get(organization=org, user__email="ana@example.com")
    assert membership.manager.user.email == "boss@example.com" and membership.employee_id == "E-1"
    removed = _patch(scim, ana, {"op": "Remove", "path": f"{ENTERPRISE}:manager"})
    assert "manager" not in removed[ENTERPRISE]
    assert Membership.objects.get(pk=membership.pk).manager is None


def test_okta_replaces_users_with_put_and_active_false(scim, ana, org):
    body = user_body("ana@example.com", active=False)
    response = scim.send("put", f"/scim/v2/Users/{ana['id']}", body)
    assert response.status_code == 200 and response.json()["active"] is False
    assert Membership.objects.get(organization=org).is_active is False


def test_members_added_and_removed_as_entra_and_okta_send_them(scim, ana, org):
    bruno = created(scim, user_body("bruno@example.com"))
    group = group_created(scim, "Care")
    added = _patch(scim, group, {"op": "Add", "path": "members",
                                 "value": [{"value": ana["id"]}, {"value": bruno["id"]}]}, kind="Groups")
    assert sorted(member["value"] for member in added["members"]) == sorted([ana["id"], bruno["id"]])
    assert set(Membership.objects.filter(department__name="Care").values_list("user__email", flat=True)) == {
        "ana@example.com", "bruno@example.com"}
    # Entra: remove with a list of values
    removed = _patch(scim, group, {"op": "Remove", "path": "members", "value": [{"value": ana["id"]}]},
                     kind="Groups")
    assert [member["value"] for member in removed["members"]] == [bruno["id"]]
    # Okta: remove with a value filter, and a rename with replace
    renamed = _patch(scim, group, {"op": "remove", "path": f'members[value eq "{bruno["id"]}"]'},
                     {"op": "replace", "value": {"id": group["id"], "displayName": "Customer care"}}, kind="Groups")
    assert renamed["displayName"] == "Customer care" and "members" not in renamed
    assert not Membership.objects.filter(department__isnull=False).exists()


def test_a_patch_that_fails_changes_nothing(scim, ana, org):
    response = scim.send("patch", f"/scim/v2/Users/{ana['id']}", patch_body(
        {"op": "replace", "path": "displayName", "value": "Changed"},
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": "no-such-id"}))
    assert_scim_error(response, 400, "invalidValue")
    assert "displayName" not in scim.send("get", f"/scim/v2/Users/{ana['id']}").json()


@pytest.mark.parametrize(("operation", "scim_type"), [
    ({"op": "move", "path": "displayName", "value": "x"}, "invalidValue"),
    ({"op": "replace", "path": "emails[[", "value": "x"}, "invalidPath"),
    ({"op": "replace", "path": 'emails[type zz "work"].value', "value": "x"}, "invalidFilter"),
    ({"op": "replace", "path": "no such path!", "value": "x"}, "invalidPath"),
    ({"op": "remove"}, "noTarget"),
    ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
    ({"op": "replace", "path": "userName", "value": 12}, "invalidValue"),
    ({"op": "remove", "path": "userName"}, "invalidValue"),
])
def test_bad_operations_get_scim_errors(scim, ana, operation, scim_type):
    response = scim.send("patch", f"/scim/v2/Users/{ana['id']}", patch_body(operation))
    assert_scim_error(response, 400, scim_type)


def test_a_patch_body_without_the_patch_schema_is_invalid_syntax(scim, ana):
    response = scim.send("patch", f"/scim/v2/Users/{ana['id']}",
                         {"schemas": [USER], "Operations": [{"op": "add", "path": "displayName", "value": "x"}]})
    assert_scim_error(response, 400, "invalidSyntax")
