"""API key scopes: reports:read (what every key could do before scopes), people:read, scim:write."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from lms import services
from lms.errors import ApplicationError
from lms.models import ApiKeyScope, OrganizationAPIKey
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/completions/"


def _client(organization, *scopes) -> APIClient:
    _, raw = factories.api_key_for(organization, scopes=list(scopes) if scopes else None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def person(org):
    return factories.MembershipFactory(organization=org, user__email="a@a.example")


def test_a_key_has_reports_read_unless_told_otherwise(org, person):
    key, _ = factories.api_key_for(org)
    assert key.scopes == [ApiKeyScope.REPORTS_READ]
    client = _client(org)
    assert client.get(REPORTS).status_code == 200
    assert client.get(f"/api/v1/organizations/{org.slug}/memberships/").status_code == 200


def test_people_read_reads_the_organizations_people_and_not_its_reports(org, other_org, person):
    client = _client(org, ApiKeyScope.PEOPLE_READ)
    members = client.get(f"/api/v1/organizations/{org.slug}/memberships/").json()
    assert [member["email"] for member in members["results"]] == ["a@a.example"]
    assert client.get(f"/api/v1/organizations/{org.slug}/departments/").status_code == 200
    assert_error(client.get(f"/api/v1/organizations/{other_org.slug}/memberships/"), 404)
    assert_error(client.post(f"/api/v1/organizations/{org.slug}/departments/", {"name": "X"}), 403)
    assert_error(client.get(REPORTS), 403)


def test_a_scim_only_key_reads_nothing_outside_scim(org, person):
    client = _client(org, ApiKeyScope.SCIM_WRITE)
    assert_error(client.get(REPORTS), 403)
    assert_error(client.get(f"/api/v1/organizations/{org.slug}/memberships/"), 404)
    assert client.get("/api/v1/organizations/").json() == []


def test_unknown_or_no_scopes_are_refused(org):
    for scopes in (["admin:all"], []):
        with pytest.raises(ApplicationError) as refused:
            services.api_key_create(organization=org, name="k", scopes=scopes)
        assert refused.value.code == "invalid_scope"
    assert not OrganizationAPIKey.objects.exists()


def test_the_command_takes_scopes(org):
    call_command("create_api_key", org.slug, "--scope", "scim:write", "--scope", "people:read",
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert OrganizationAPIKey.objects.get().scopes == ["people:read", "scim:write"]


def test_the_admin_creates_a_key_with_the_chosen_scopes(org):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    form = client.get("/admin/lms/organizationapikey/add/")
    assert 'value="scim:write"' in form.content.decode()
    response = client.post("/admin/lms/organizationapikey/add/", {
        "name": "Entra", "organization": org.pk, "scopes": ["scim:write"], "expiry_date_0": "", "expiry_date_1": "",
    }, follow=True)
    assert response.status_code == 200
    key = OrganizationAPIKey.objects.get()
    assert key.scopes == ["scim:write"]
    raw = re.search(r"The API key for Entra: (\S+)", response.content.decode())[1]
    assert key.is_valid(raw)


def test_the_scope_labels_are_translated_to_portuguese():
    from django.utils import translation

    from lms.admin import OrganizationAPIKeyForm

    with translation.override("pt-br"):
        field = OrganizationAPIKeyForm().fields["scopes"]
        assert str(field.label) == "Escopos"
        assert [str(label) for _, label in field.choices] == [
            "Relatórios: leitura", "Pessoas: leitura", "Provisionamento SCIM: escrita"]
