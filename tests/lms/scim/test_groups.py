"""SCIM Groups are the organization's departments; a person belongs to one department at a time."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.models import Department, Membership
from tests.lms.scim.conftest import GROUP, assert_scim_error, created, group_created, user_body

pytestmark = pytest.mark.django_db


def test_create_read_replace_delete(scim, org):
    ana = created(scim, user_body("ana@example.com"))
    group = group_created(scim, "Care", [ana["id"]])
    assert group["members"] == [{"value": ana["id"], "$ref": ana["meta"]["location"], "type": "User"}]
    assert Department.objects.get(organization=org).scim_id.hex == group["id"].replace("-", "")
    assert scim.send("get", f"/scim/v2/Groups/{group['id']}").json() == group

    replaced = scim.send("put", f"/scim/v2/Groups/{group['id']}",
                         {"schemas": [GROUP], "displayName": "Care team", "externalId": "CT", "members": []})
    assert replaced.status_code == 200
    assert (replaced.json()["displayName"], replaced.json()["externalId"]) == ("Care team", "CT")
    assert Membership.objects.get(organization=org).department is None

    assert scim.send("delete", f"/scim/v2/Groups/{group['id']}").status_code == 204
    assert_scim_error(scim.send("get", f"/scim/v2/Groups/{group['id']}"), 404)
    assert Membership.objects.filter(organization=org).count() == 1  # people stay


def test_joining_a_group_leaves_the_previous_one(scim):
    ana = created(scim, user_body("ana@example.com"))
    first = group_created(scim, "Care", [ana["id"]])
    group_created(scim, "Billing", [ana["id"]])
    assert "members" not in scim.send("get", f"/scim/v2/Groups/{first['id']}").json()


def test_names_are_unique_in_the_organization(scim, scim_b):
    group_created(scim, "Care")
    assert_scim_error(scim.send("post", "/scim/v2/Groups", {"schemas": [GROUP], "displayName": "care"}),
                      409, "uniqueness")
    group_created(scim_b, "Care")


def test_filter_by_display_name_and_member(scim):
    ana = created(scim, user_body("ana@example.com"))
    group_created(scim, "Care", [ana["id"]])
    group_created(scim, "Billing")
    found = scim.send("get", '/scim/v2/Groups?filter=displayName%20eq%20"care"').json()
    assert [group["displayName"] for group in found["Resources"]] == ["Care"]
    found = scim.send("get", f'/scim/v2/Groups?filter=members.value%20eq%20"{ana["id"]}"').json()
    assert [group["displayName"] for group in found["Resources"]] == ["Care"]


def test_the_list_answers_in_a_fixed_number_of_queries(scim):
    people = [created(scim, user_body(f"p{index}@example.com"))["id"] for index in range(8)]
    group_created(scim, "G0", people[:1])
    with CaptureQueriesContext(connection) as few:
        scim.send("get", "/scim/v2/Groups")
    for index in range(1, 6):
        group_created(scim, f"G{index}", people[index:index + 2])
    with CaptureQueriesContext(connection) as many:
        assert scim.send("get", "/scim/v2/Groups").json()["totalResults"] == 6
    assert len(many) == len(few) <= 6
