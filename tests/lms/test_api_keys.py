"""Organization API keys: hashed at rest, scoped to one organization, read-only, revocable, expiring."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from lms import services
from lms.models import OrganizationAPIKey
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def two_orgs(org, other_org):
    dept_a = factories.DepartmentFactory(organization=org, name="Care")
    dept_b = factories.DepartmentFactory(organization=other_org, name="Billing")
    member_a = factories.MembershipFactory(organization=org, user__email="a@a.example")
    member_b = factories.MembershipFactory(organization=other_org, user__email="b@b.example")
    return dept_a, dept_b, member_a, member_b


def test_key_reads_its_own_organization_only(org, other_org, two_orgs):
    dept_a, dept_b, _, member_b = two_orgs
    _, raw = factories.api_key_for(org)
    client = _key_client(raw)

    assert [o["slug"] for o in client.get("/api/v1/organizations/").json()] == [org.slug]
    members = client.get(f"/api/v1/organizations/{org.slug}/memberships/").json()
    assert [m["email"] for m in members["results"]] == ["a@a.example"]
    assert client.get(f"/api/v1/organizations/{org.slug}/departments/{dept_a.pk}/").json()["name"] == "Care"

    for path in (
        f"/api/v1/organizations/{other_org.slug}/memberships/",
        f"/api/v1/organizations/{other_org.slug}/departments/",
        f"/api/v1/organizations/{other_org.slug}/memberships/{member_b.pk}/",
        f"/api/v1/organizations/{org.slug}/memberships/{member_b.pk}/",
        f"/api/v1/organizations/{org.slug}/departments/{dept_b.pk}/",
    ):
        assert_error(client.get(path), 404, "not_found")


def test_key_is_read_only(org, two_orgs):
    dept_a, _, member_a, _ = two_orgs
    _, raw = factories.api_key_for(org)
    client = _key_client(raw)
    base = f"/api/v1/organizations/{org.slug}"
    assert_error(client.post(f"{base}/departments/", {"name": "New"}), 403, "permission_denied")
    assert_error(client.patch(f"{base}/departments/{dept_a.pk}/", {"name": "Renamed"}), 403, "permission_denied")
    assert_error(client.delete(f"{base}/memberships/{member_a.pk}/"), 403, "permission_denied")
    assert_error(client.post(f"{base}/memberships/", {"email": "x@a.example"}), 403, "permission_denied")
    dept_a.refresh_from_db()
    assert dept_a.name == "Care"
    assert org.departments.count() == 1
    assert org.memberships.count() == 1


def test_revoked_key_is_401(org):
    key, raw = factories.api_key_for(org)
    assert _key_client(raw).get("/api/v1/organizations/").status_code == 200
    services.api_key_revoke(key=key)
    assert OrganizationAPIKey.objects.get(pk=key.pk).revoked is True
    assert_error(_key_client(raw).get("/api/v1/organizations/"), 401, "authentication_failed")


def test_expired_key_is_401(org):
    key, raw = factories.api_key_for(org, expires_at=timezone.now() + timedelta(days=1))
    assert _key_client(raw).get("/api/v1/organizations/").status_code == 200
    OrganizationAPIKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert_error(_key_client(raw).get("/api/v1/organizations/"), 401, "authentication_failed")


@pytest.mark.parametrize("header", ["Api-Key nonsense", "Api-Key abc.def", "Api-Key", "Api-Key a b"])
def test_malformed_or_unknown_keys_are_401(org, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/organizations/"), 401, "authentication_failed")


def test_key_records_last_use(org):
    key, raw = factories.api_key_for(org)
    assert key.last_used_at is None
    _key_client(raw).get("/api/v1/organizations/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_key_of_a_deleted_organization_is_gone(org):
    _, raw = factories.api_key_for(org)
    org.delete()
    assert OrganizationAPIKey.objects.count() == 0
    assert_error(_key_client(raw).get("/api/v1/organizations/"), 401)


def test_create_key_rejects_a_past_expiry_and_an_empty_name(org):
    from lms.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.api_key_create(organization=org, name="x", expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ApplicationError):
        services.api_key_create(organization=org, name="  ")
    assert OrganizationAPIKey.objects.count() == 0


def test_create_api_key_command_prints_the_key_once_and_stores_a_hash(org):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", org.slug, "--name", "Workday", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw and "\n" not in raw
    assert raw not in err.getvalue()  # the key is printed once, on stdout

    key = OrganizationAPIKey.objects.get()
    assert (key.organization_id, key.name, key.revoked) == (org.pk, "Workday", False)
    assert key.prefix in err.getvalue()
    assert raw.startswith(key.prefix + ".")
    stored = [str(value) for value in OrganizationAPIKey.objects.values_list().get()]
    assert raw not in stored
    assert key.hashed_key != raw and key.hashed_key not in raw
    assert key.is_valid(raw)
    assert timedelta(days=364) < key.expiry_date - timezone.now() <= timedelta(days=365)

    assert [o["slug"] for o in _key_client(raw).get("/api/v1/organizations/").json()] == [org.slug]


def test_create_api_key_command_without_expiry(org):
    out = io.StringIO()
    call_command("create_api_key", org.slug, "--expires-in-days", "0", stdout=out, stderr=io.StringIO())
    assert OrganizationAPIKey.objects.get().expiry_date is None


def test_create_api_key_command_unknown_organization(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_key", "no-such-org", stdout=io.StringIO(), stderr=io.StringIO())
    assert OrganizationAPIKey.objects.count() == 0
