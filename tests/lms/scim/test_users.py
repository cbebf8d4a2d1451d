"""SCIM Users: create, read, list with filters and pages, replace, delete; what lands in our people tables."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.models import Membership, ScimUser, User
from tests.lms.scim.conftest import ENTERPRISE, SCIM, USER, assert_scim_error, created, user_body

pytestmark = pytest.mark.django_db


def _list(client, query: str = "") -> dict:
    response = client.send("get", f"/scim/v2/Users{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(SCIM)
    return response.json()


def _filter(client, text: str) -> list[str]:
    return sorted(resource["userName"] for resource in _list(client, f"?filter={quote(text)}")["Resources"])


def test_create_makes_an_account_and_a_membership_and_answers_the_document(scim, org):
    body = user_body("ana@example.com", externalId="ext-1", displayName="Ana L.")
    body[ENTERPRISE] = {"employeeNumber": "E-7", "department": "Care"}
    response = scim.send("post", "/scim/v2/Users", body)

    assert response.status_code == 201
    document = response.json()
    assert response["Location"] == document["meta"]["location"]
    assert response["ETag"] == document["meta"]["version"] and document["meta"]["version"].startswith('W/"')
    assert document["userName"] == "ana@example.com" and document["externalId"] == "ext-1"
    assert document["name"] == {"givenName": "Ana", "familyName": "Lima"}
    assert document["active"] is True
    assert document[ENTERPRISE] == {"employeeNumber": "E-7", "department": "Care"}
    membership = Membership.objects.get(organization=org, user__email="ana@example.com")
    assert (membership.employee_id, membership.department.name, membership.is_active) == ("E-7", "Care", True)
    assert membership.user.get_full_name() == "Ana Lima"
    assert document["id"] == str(ScimUser.objects.get().scim_id)
    assert str(membership.user.pk) != document["id"]


def test_get_by_id_and_the_list_answer_the_same_document(scim):
    document = created(scim, user_body("ana@example.com"))
    fetched = scim.send("get", f"/scim/v2/Users/{document['id']}")

    assert fetched.json() == document
    listing = _list(scim)
    assert listing["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert listing["totalResults"] == 1 and listing["Resources"] == [document]


@pytest.fixture
def three(scim):
    for name, family, number, department in [("ana@example.com", "Lima", "1", "Care"),
                                              ("bruno@example.com", "Souza", "2", "Billing"),
                                              ("carla@other.example", "Lima", "3", "")]:
        body = user_body(name, name={"givenName": name[:4], "familyName": family})
        body[ENTERPRISE] = {"employeeNumber": number, "department": department} if department else {
            "employeeNumber": number}
        created(scim, body)


@pytest.mark.parametrize(("text", "expected"), [
    ('userName eq "ANA@example.com"', ["ana@example.com"]),
    ('userName co "example.com"', ["ana@example.com", "bruno@example.com"]),
    ('userName sw "b"', ["bruno@example.com"]),
    ('name.familyName eq "Lima" and userName ew "other.example"', ["carla@other.example"]),
    ('userName eq "ana@example.com" or userName eq "bruno@example.com"', ["ana@example.com", "bruno@example.com"]),
    (f"{ENTERPRISE}:department pr", ["ana@example.com", "bruno@example.com"]),
    (f'{ENTERPRISE}:employeeNumber eq "3"', ["carla@other.example"]),
    ('emails[type eq "work" and value co "other"]', ["carla@other.example"]),
    ('emails[type eq "work"].value eq "bruno@example.com"', ["bruno@example.com"]),
    ('emails.value sw "ana"', ["ana@example.com"]),
    ("active eq true and not (userName sw \"a\")", ["bruno@example.com", "carla@other.example"]),
    ('externalId pr', []),
])
def test_filters(scim, three, text, expected):
    assert _filter(scim, text) == expected


def test_pages_follow_start_index_and_count(scim, three):
    page = _list(scim, "?startIndex=2&count=1")
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [resource["userName"] for resource in page["Resources"]] == ["bruno@example.com"]
    assert _list(scim, "?count=0")["Resources"] == []
    assert _list(scim, "?startIndex=10")["Resources"] == []


def test_attributes_and_excluded_attributes(scim, three):
    only = _list(scim, "?attributes=userName,name.familyName")["Resources"][0]
    assert set(only) == {"schemas", "id", "meta", "userName", "name"} and set(only["name"]) == {"familyName"}
    without = _list(scim, f"?excludedAttributes=emails,{ENTERPRISE}:department")["Resources"][0]
    assert "emails" not in without and "department" not in without[ENTERPRISE] and "userName" in without


def test_the_list_answers_in_a_fixed_number_of_queries(scim, org):
    boss = created(scim, user_body("boss@example.com"))["id"]

    def add(index: int) -> None:
        created(scim, user_body(f"p{index}@example.com", **{ENTERPRISE: {
            "department": ("Care", "Billing")[index % 2], "manager": {"value": boss}}}))

    for index in range(2):
        add(index)
    with CaptureQueriesContext(connection) as few:
        _list(scim)
    for index in range(2, 9):
        add(index)
    with CaptureQueriesContext(connection) as many:
        assert _list(scim)["totalResults"] == 10
    assert len(many) == len(few) <= 6


def test_put_replaces_what_the_organization_pushed(scim, org):
    document = created(scim, user_body("ana@example.com", externalId="old"))
    body = user_body("ana.lima@example.com", name={"givenName": "Ana", "familyName": "Souza"})
    body[ENTERPRISE] = {"employeeNumber": "9"}
    response = scim.send("put", f"/scim/v2/Users/{document['id']}", body)

    assert response.status_code == 200
    replaced = response.json()
    assert replaced["userName"] == "ana.lima@example.com" and "externalId" not in replaced
    assert replaced[ENTERPRISE] == {"employeeNumber": "9"}
    assert replaced["meta"]["version"] != document["meta"]["version"]
    membership = Membership.objects.get(organization=org)
    assert membership.employee_id == "9" and membership.user.last_name == "Souza"


def test_delete_keeps_the_membership_deactivated_and_the_resource_is_gone(scim, org):
    document = created(scim, user_body("ana@example.com"))
    assert scim.send("delete", f"/scim/v2/Users/{document['id']}").status_code == 204

    assert_scim_error(scim.send("get", f"/scim/v2/Users/{document['id']}"), 404)
    assert_scim_error(scim.send("delete", f"/scim/v2/Users/{document['id']}"), 404)
    assert _list(scim)["totalResults"] == 0
    membership = Membership.objects.get(organization=org)
    assert membership.is_active is False and User.objects.filter(pk=membership.user_id, is_active=True).exists()
    again = created(scim, user_body("ana@example.com"))  # the provider may provision the person anew
    assert again["id"] != document["id"] and Membership.objects.get(organization=org).is_active is True


def test_user_name_is_unique_in_the_organization_only(scim, scim_b):
    created(scim, user_body("ana@example.com"))
    assert_scim_error(scim.send("post", "/scim/v2/Users", user_body("ANA@example.com")), 409, "uniqueness")
    assert scim_b.send("post", "/scim/v2/Users", user_body("ana@example.com")).status_code == 201


def test_an_existing_member_is_adopted_by_the_first_provisioning(scim, org):
    from tests import factories

    person = factories.member(org, user__email="ana@example.com", user__first_name="Ana", user__last_name="Old")
    document = created(scim, user_body("ana@example.com"))
    assert Membership.objects.get(organization=org).user == person
    assert document["name"] == {"givenName": "Ana", "familyName": "Lima"}
    person.refresh_from_db()
    assert person.last_name == "Old"  # the account was not created by this push: its name stays
    assert_scim_error(scim.send("post", "/scim/v2/Users", user_body("other-name", "ana@example.com")),
                      409, "uniqueness")


def test_a_person_without_an_address_gets_a_placeholder_that_receives_no_mail(scim, org):
    document = created(scim, {"schemas": [USER], "userName": "emp-123"})
    user = Membership.objects.get(organization=org).user
    assert user.email == f"{document['id']}@scim.invalid"


def test_the_placeholder_gives_way_to_the_first_free_address_pushed(scim, org):
    document = created(scim, {"schemas": [USER], "userName": "emp-123"})
    taken = created(scim, user_body("taken@example.com"))
    response = scim.send("put", f"/scim/v2/Users/{document['id']}", user_body("emp-123", "taken@example.com"))
    assert response.status_code == 200  # the address stays in this record; the account keeps its placeholder
    user = Membership.objects.get(scim_users__scim_id=document["id"]).user
    assert user.email.endswith("@scim.invalid") and taken["id"]
    scim.send("put", f"/scim/v2/Users/{document['id']}", user_body("emp-123", "Emp.123@example.com"))
    user.refresh_from_db()
    assert user.email == "emp.123@example.com"


def test_adding_a_primary_email_takes_the_primary_from_the_others(scim):
    from tests.lms.scim.conftest import patch_body

    document = created(scim, user_body("ana@example.com"))
    response = scim.send("patch", f"/scim/v2/Users/{document['id']}", patch_body(
        {"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "home", "primary": "True"}]}))
    assert response.status_code == 200
    assert [email.get("primary") for email in response.json()["emails"]] == [None, True]


def test_a_user_name_lookup_reads_only_the_matching_row(scim):
    for index in range(5):
        created(scim, user_body(f"p{index}@example.com"))
    with CaptureQueriesContext(connection) as queries:
        assert _filter(scim, 'userName eq "P3@example.com"') == ["p3@example.com"]
    assert any("LIKE" in query["sql"] or "UPPER" in query["sql"] for query in queries.captured_queries)
    assert _filter(scim, 'id eq "not-a-uuid"') == []
    assert _filter(scim, 'userName eq "p3@example.com" or userName eq "p4@example.com"') == [
        "p3@example.com", "p4@example.com"]
