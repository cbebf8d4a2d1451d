"""The demo loader (``manage.py load_demo``) can run again and again without piling up data."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from courses.certificates.credentials import keys as credential_keys
from lms.demo import HR_KEY_FILE, ORG_SLUG, PEOPLE
from lms.models import Department, Membership, Organization, OrganizationAPIKey, User, UserToken

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Organization, Department, User, Membership, UserToken)}


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the credentials file goes here, not into the real var/
    return tmp_path


def _load() -> None:
    call_command("load_demo", stdout=io.StringIO())


def test_load_demo_is_idempotent(demo_var):
    _load()
    first = _counts()
    first_credentials = json.loads((demo_var / "demo-credentials.json").read_text())
    _load()
    assert _counts() == first
    assert first == {**first, "Organization": 1, "Department": 2, "User": len(PEOPLE) + 1,
                     "Membership": len(PEOPLE)}
    org = Organization.objects.get(slug=ORG_SLUG)
    assert OrganizationAPIKey.objects.filter(organization=org).count() == 1  # the same key, not a new one

    credentials = json.loads((demo_var / "demo-credentials.json").read_text())
    assert credentials["credential_issuer"].endswith("/api/v1/credentials/issuer.json")
    assert len(credential_keys.list_keys()) == 1  # made on the first load only
    assert (demo_var / "demo-credentials.json").stat().st_mode & 0o777 == 0o600
    assert credentials["hr_api_key"] == first_credentials["hr_api_key"]
    assert _hr_key_works(credentials["hr_api_key"])


def _hr_key_works(raw: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.get("/api/v1/organizations/")
    return response.status_code == 200 and [o["slug"] for o in response.json()] == [ORG_SLUG]


def test_the_demo_hr_key_is_kept_in_var_dir_readable_by_the_owner_only(demo_var):
    _load()
    kept = demo_var / HR_KEY_FILE
    assert kept.stat().st_mode & 0o777 == 0o600
    assert kept.read_text().strip() == json.loads((demo_var / "demo-credentials.json").read_text())["hr_api_key"]


@pytest.mark.parametrize("lose", ["file deleted", "key revoked"])
def test_a_lost_or_revoked_demo_key_is_replaced_and_the_old_one_stops_working(demo_var, lose):
    _load()
    first = json.loads((demo_var / "demo-credentials.json").read_text())["hr_api_key"]
    if lose == "file deleted":
        (demo_var / HR_KEY_FILE).unlink()
    else:
        OrganizationAPIKey.objects.update(revoked=True)
    _load()
    second = json.loads((demo_var / "demo-credentials.json").read_text())["hr_api_key"]
    assert second != first
    assert _hr_key_works(second)
    assert not _hr_key_works(first)
    assert OrganizationAPIKey.objects.filter(revoked=False).count() == 1


def test_demo_people_hold_their_roles_and_can_sign_in(demo_var):
    _load()
    credentials = json.loads((demo_var / "demo-credentials.json").read_text())
    logins = {login["email"]: login for login in credentials["logins"]}
    assert set(logins) == {"superuser@acme.example", *(person[0] for person in PEOPLE)}
    learner = Membership.objects.select_related("manager__user", "department").get(
        user__email="learner@acme.example")
    assert (learner.roles, learner.department.name, learner.manager.user.email) == (
        ["learner"], "Customer Care", "supervisor@acme.example")
    assert User.objects.get(email="instructor@acme.example").is_staff is True
    assert User.objects.get(email="learner@acme.example").is_staff is False

    response = APIClient().post("/api/v1/auth/token/", {
        "email": "hr@acme.example", "password": logins["hr@acme.example"]["password"]})
    assert response.status_code == 201
