"""Two organizations provision the same person: neither sees the other's ids or attributes."""
from __future__ import annotations

import pytest

from lms.models import Membership, User
from tests import factories
from tests.lms.scim.conftest import ENTERPRISE, assert_scim_error, created, group_created, user_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed_by_a(scim):
    body = user_body("ana@example.com", externalId="a-ext", displayName="Ana (A)",
                     name={"givenName": "Ana", "familyName": "Lima"})
    body[ENTERPRISE] = {"employeeNumber": "A-1", "department": "A-Care"}
    return created(scim, body)


def test_b_provisions_a_member_of_a_without_learning_anything_about_a(scim, scim_b, pushed_by_a, org, other_org):
    body = user_body("ana@example.com", name={"givenName": "Aninha", "familyName": "L."})
    response = scim_b.send("post", "/scim/v2/Users", body)

    assert response.status_code == 201  # no 409: that A knows this address is not B's to learn
    document = response.json()
    assert document["id"] != pushed_by_a["id"]
    assert document["name"] == {"givenName": "Aninha", "familyName": "L."}
    assert ENTERPRISE not in document and "externalId" not in document and "displayName" not in document
    user = User.objects.get(email="ana@example.com")
    assert Membership.objects.filter(user=user).count() == 2
    # The account keeps the name from the organization whose push created it.
    assert (user.first_name, user.last_name) == ("Ana", "Lima")
    scim_b.send("put", f"/scim/v2/Users/{document['id']}", user_body("ana@example.com", name={
        "givenName": "Other", "familyName": "Name"}))
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ana", "Lima")
    assert scim.send("get", f"/scim/v2/Users/{pushed_by_a['id']}").json()["name"]["givenName"] == "Ana"


def test_ids_of_another_organization_are_absent(scim, scim_b, pushed_by_a):
    group = group_created(scim, "Only A")
    for method in ("get", "put", "patch", "delete"):
        assert_scim_error(scim_b.send(method, f"/scim/v2/Users/{pushed_by_a['id']}", user_body("x@example.com")),
                          404)
        assert_scim_error(scim_b.send(method, f"/scim/v2/Groups/{group['id']}", {"displayName": "x"}), 404)
    assert scim_b.send("get", "/scim/v2/Users").json()["totalResults"] == 0
    assert scim_b.send("get", '/scim/v2/Users?filter=userName%20eq%20"ana@example.com"').json()["Resources"] == []
    assert [g["displayName"] for g in scim_b.send("get", "/scim/v2/Groups").json()["Resources"]] == []


def test_another_organizations_people_cannot_be_a_manager_or_a_member(scim, scim_b, pushed_by_a):
    body = user_body("bruno@example.com", **{ENTERPRISE: {"manager": {"value": pushed_by_a["id"]}}})
    assert_scim_error(scim_b.send("post", "/scim/v2/Users", body), 400, "invalidValue")
    response = scim_b.send("post", "/scim/v2/Groups", {"displayName": "B", "members": [{"value": pushed_by_a["id"]}]})
    assert_scim_error(response, 400, "invalidValue")


def test_deactivation_in_one_organization_leaves_the_other_alone(scim, scim_b, pushed_by_a, org, other_org):
    created(scim_b, user_body("ana@example.com"))
    scim.send("delete", f"/scim/v2/Users/{pushed_by_a['id']}")
    assert Membership.objects.get(organization=org).is_active is False
    assert Membership.objects.get(organization=other_org).is_active is True
    assert scim_b.send("get", "/scim/v2/Users").json()["Resources"][0]["active"] is True


def test_groups_are_the_organizations_departments_only(scim, org, other_org):
    factories.DepartmentFactory(organization=org, name="Care", code="C1")
    factories.DepartmentFactory(organization=other_org, name="Elsewhere")
    groups = scim.send("get", "/scim/v2/Groups").json()["Resources"]
    assert [(group["displayName"], group.get("externalId")) for group in groups] == [("Care", "C1")]
