"""Who may read and change an organization's people (scope is 404, read-only is 403)."""
from __future__ import annotations

import pytest

from lms.models import Department, Membership, User
from tests.helpers import assert_error
from tests.lms.conftest import ACTORS

pytestmark = pytest.mark.django_db

READERS = {"hr", "org_admin", "api_key"}
NO_PEOPLE_ROLE = {"learner", "instructor", "supervisor"}
OUTSIDERS = {"other_org_admin", "other_api_key"}


def _expect_denied(response, actor: str, *, write: bool) -> None:
    """Anonymous: 401. An API key writing: 403 whatever the organization (keys are read-only, which
    leaks nothing). Outside the organization or without a reading role: 404. HR writing: 403."""
    if actor == "anonymous":
        assert_error(response, 401, "not_authenticated")
    elif write and actor in {"api_key", "other_api_key"}:
        assert_error(response, 403, "permission_denied")
    elif actor in NO_PEOPLE_ROLE | OUTSIDERS:
        assert_error(response, 404, "not_found")
    elif write and actor == "hr":
        assert_error(response, 403, "permission_denied")
    else:  # pragma: no cover - a matrix row nobody expected
        raise AssertionError(f"{actor} should not be denied: {response.status_code}")


def _snapshot() -> tuple:
    return (
        sorted(Department.objects.values_list("id", "organization_id", "name", "code")),
        sorted(Membership.objects.values_list("id", "organization_id", "department_id", "manager_id", "employee_id",
                                              "is_learner", "is_hr", "is_org_admin", "is_active")),
        User.objects.count(),
    )


# --- /me/ ----------------------------------------------------------------------------------

@pytest.mark.parametrize("actor", ACTORS)
def test_me(world, actor):
    response = world.client(actor).get("/api/v1/me/")
    if actor == "anonymous":
        assert_error(response, 401, "not_authenticated")
        return
    if actor in {"api_key", "other_api_key"}:
        assert_error(response, 403, "permission_denied")
        return
    assert response.status_code == 200
    body = response.json()
    if actor == "other_org_admin":
        assert body["email"] == "admin@b.example"
        assert [m["organization"]["slug"] for m in body["memberships"]] == ["org-b"]
        assert body["memberships"][0]["roles"] == ["org_admin"]
    else:
        assert body["email"] == f"{actor}@a.example"
        assert [(m["organization"]["slug"], m["roles"], m["department"]) for m in body["memberships"]] == [
            ("org-a", [actor], "Customer Care")
        ]


def test_me_patch_changes_only_the_callers_profile(world):
    response = world.client("learner").patch("/api/v1/me/", {"first_name": "Lena", "timezone": "Europe/Berlin"})
    assert response.status_code == 200
    assert response.json()["first_name"] == "Lena"
    learner = User.objects.get(email="learner@a.example")
    assert (learner.first_name, learner.timezone) == ("Lena", "Europe/Berlin")
    assert User.objects.filter(first_name="Lena").count() == 1


def test_me_patch_rejects_an_unknown_timezone_and_writes_nothing(world):
    before = User.objects.get(email="learner@a.example").timezone
    response = world.client("learner").patch("/api/v1/me/", {"timezone": "Mars/Olympus"})
    error = assert_error(response, 422, "invalid_timezone")
    assert "timezone" in error["fields"]
    assert User.objects.get(email="learner@a.example").timezone == before


# --- /organizations/ -----------------------------------------------------------------------

@pytest.mark.parametrize("actor", ACTORS)
def test_organization_list_shows_only_own_organizations(world, actor):
    response = world.client(actor).get("/api/v1/organizations/")
    if actor == "anonymous":
        assert_error(response, 401, "not_authenticated")
        return
    assert response.status_code == 200
    slugs = [org["slug"] for org in response.json()]
    assert slugs == (["org-b"] if actor in OUTSIDERS else ["org-a"])


def test_organization_list_is_read_only(world):
    assert_error(world.client("org_admin").post("/api/v1/organizations/", {"slug": "x", "name": "X"}),
                 405, "method_not_allowed")
    assert_error(world.client("api_key").post("/api/v1/organizations/", {"slug": "x", "name": "X"}),
                 403, "permission_denied")


# --- reads ---------------------------------------------------------------------------------

def _read_paths(world) -> list[str]:
    base = f"/api/v1/organizations/{world.org.slug}"
    return [
        f"{base}/departments/",
        f"{base}/departments/{world.department.pk}/",
        f"{base}/memberships/",
        f"{base}/memberships/{world.members['learner'].pk}/",
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_people_reads(world, actor):
    for path in _read_paths(world):
        response = world.client(actor).get(path)
        if actor not in READERS:
            _expect_denied(response, actor, write=False)
            continue
        assert response.status_code == 200, (path, response.content)
        body = response.json()
        if path.endswith("/departments/"):
            assert body == [{"id": world.department.pk, "name": "Customer Care", "code": "CC"}]
        elif path.endswith("/memberships/"):
            assert body["count"] == 5
            assert sorted(row["email"] for row in body["results"]) == sorted(
                f"{role}@a.example" for role in world.members
            )
        elif "/memberships/" in path:
            assert body["email"] == "learner@a.example"
            assert body["roles"] == ["learner"]
            assert body["department"]["name"] == "Customer Care"
        else:
            assert body["name"] == "Customer Care"


@pytest.mark.parametrize("actor", ["org_admin", "hr", "api_key"])
def test_another_organizations_objects_are_404_even_under_own_slug(world, actor):
    base = f"/api/v1/organizations/{world.org.slug}"
    client = world.client(actor)
    assert_error(client.get(f"{base}/departments/{world.other_department.pk}/"), 404, "not_found")
    assert_error(client.get(f"{base}/memberships/{world.other_member.pk}/"), 404, "not_found")
    other = f"/api/v1/organizations/{world.other_org.slug}"
    assert_error(client.get(f"{other}/departments/"), 404, "not_found")
    assert_error(client.get(f"{other}/memberships/{world.other_member.pk}/"), 404, "not_found")


def test_an_unknown_organization_is_the_same_404_as_a_foreign_one(world):
    client = world.client("org_admin")
    unknown = assert_error(client.get("/api/v1/organizations/no-such-org/memberships/"), 404)
    foreign = assert_error(client.get(f"/api/v1/organizations/{world.other_org.slug}/memberships/"), 404)
    assert unknown == foreign


def test_membership_list_is_paginated_and_ordered(world):
    response = world.client("hr").get(f"/api/v1/organizations/{world.org.slug}/memberships/?page_size=2")
    body = response.json()
    assert body["count"] == 5
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids) and len(ids) == 2
    assert body["next"] is not None


def test_membership_list_query_count_is_constant(world, django_assert_max_num_queries):
    from tests import factories

    for n in range(20):
        factories.MembershipFactory(organization=world.org, department=world.department,
                                    manager=world.members["supervisor"], user__email=f"extra{n}@a.example")
    with django_assert_max_num_queries(8):
        response = world.client("hr").get(f"/api/v1/organizations/{world.org.slug}/memberships/?page_size=50")
    assert response.json()["count"] == 25


# --- writes --------------------------------------------------------------------------------

def _writes(world) -> list[tuple[str, str, dict | None, int]]:
    base = f"/api/v1/organizations/{world.org.slug}"
    learner = world.members["learner"].pk
    return [
        ("post", f"{base}/departments/", {"name": "Escalations", "code": "ES"}, 201),
        ("patch", f"{base}/departments/{world.department.pk}/", {"name": "Care"}, 200),
        ("post", f"{base}/memberships/", {"email": "new@a.example", "roles": ["learner"]}, 201),
        ("patch", f"{base}/memberships/{learner}/", {"employee_id": "E-9", "roles": ["learner", "hr"]}, 200),
        ("delete", f"{base}/memberships/{learner}/", None, 204),
        ("delete", f"{base}/departments/{world.department.pk}/", None, 204),
    ]


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "org_admin"])
def test_people_writes_are_denied_and_change_nothing(world, actor):
    before = _snapshot()
    for method, path, data, _ in _writes(world):
        response = getattr(world.client(actor), method)(path, data)
        _expect_denied(response, actor, write=True)
    assert _snapshot() == before


def test_org_admin_writes(world):
    client = world.client("org_admin")
    base = f"/api/v1/organizations/{world.org.slug}"

    response = client.post(f"{base}/departments/", {"name": "Escalations", "code": "ES"})
    assert response.status_code == 201
    escalations = Department.objects.get(organization=world.org, name="Escalations")
    assert response.json() == {"id": escalations.pk, "name": "Escalations", "code": "ES"}

    response = client.patch(f"{base}/departments/{world.department.pk}/", {"name": "Care"})
    assert response.status_code == 200
    assert Department.objects.get(pk=world.department.pk).name == "Care"

    response = client.post(f"{base}/memberships/", {
        "email": "New.Person@A.example", "first_name": "New", "roles": ["learner", "supervisor"],
        "department": escalations.pk, "manager": world.members["supervisor"].pk, "employee_id": "E-1",
    })
    assert response.status_code == 201, response.content
    created = Membership.objects.select_related("user").get(pk=response.json()["id"])
    assert created.user.email == "new.person@a.example"
    assert (created.organization_id, created.department_id, created.manager_id, created.employee_id) == (
        world.org.pk, escalations.pk, world.members["supervisor"].pk, "E-1")
    assert sorted(created.roles) == ["learner", "supervisor"]
    assert created.user.is_staff is True  # supervisors may use the back office

    learner = world.members["learner"]
    response = client.patch(f"{base}/memberships/{learner.pk}/", {"roles": ["learner", "hr"], "employee_id": "E-2"})
    assert response.status_code == 200
    learner.refresh_from_db()
    assert (learner.is_hr, learner.employee_id) == (True, "E-2")

    response = client.delete(f"{base}/memberships/{learner.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=learner.pk).exists()
    assert User.objects.filter(pk=learner.user_id).exists()  # the person stays; only the membership goes

    response = client.delete(f"{base}/departments/{escalations.pk}/")
    assert response.status_code == 204
    created.refresh_from_db()
    assert created.department_id is None
    assert not Department.objects.filter(pk=escalations.pk).exists()


def test_org_admin_cannot_touch_another_organizations_objects(world):
    client = world.client("org_admin")
    base = f"/api/v1/organizations/{world.org.slug}"
    before = _snapshot()
    assert_error(client.patch(f"{base}/departments/{world.other_department.pk}/", {"name": "Mine"}), 404)
    assert_error(client.delete(f"{base}/memberships/{world.other_member.pk}/"), 404)
    assert_error(client.post(f"/api/v1/organizations/{world.other_org.slug}/departments/", {"name": "X"}), 404)
    error = assert_error(client.post(f"{base}/memberships/", {
        "email": "x@a.example", "department": world.other_department.pk}), 422, "invalid_department")
    assert "department" in error["fields"]
    error = assert_error(client.patch(f"{base}/memberships/{world.members['learner'].pk}/", {
        "manager": world.other_member.pk}), 422, "invalid_manager")
    assert "manager" in error["fields"]
    assert _snapshot() == before


def test_membership_writes_validate_input(world):
    client = world.client("org_admin")
    base = f"/api/v1/organizations/{world.org.slug}"
    before = _snapshot()
    error = assert_error(client.post(f"{base}/memberships/", {"email": "not-an-email"}), 400, "invalid")
    assert "email" in error["fields"]
    error = assert_error(client.post(f"{base}/memberships/", {"email": "x@a.example", "roles": ["wizard"]}),
                         400, "invalid")
    assert "roles" in error["fields"]
    assert_error(client.post(f"{base}/memberships/", {"email": "learner@a.example"}), 409, "membership_exists")
    assert_error(client.post(f"{base}/departments/", {"name": "Customer Care"}), 409, "department_exists")
    assert _snapshot() == before
    supervisor = world.members["supervisor"]
    learner = world.members["learner"]
    client.patch(f"{base}/memberships/{learner.pk}/", {"manager": supervisor.pk})
    before = _snapshot()
    assert_error(client.patch(f"{base}/memberships/{supervisor.pk}/", {"manager": learner.pk}), 422, "manager_cycle")
    assert _snapshot() == before


@pytest.mark.parametrize("path", ["departments/99999999999999999999999/", "memberships/99999999999999999999999/"])
def test_oversized_ids_are_404_not_500(world, path):
    assert_error(world.client("org_admin").get(f"/api/v1/organizations/{world.org.slug}/{path}"), 404)
    assert_error(world.client("org_admin").delete(f"/api/v1/organizations/{world.org.slug}/{path}"), 404)
