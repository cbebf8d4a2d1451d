"""HR's API keys at /hr/api-keys/: create (the secret shown once), list, revoke (401 at once), expiry."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from courses.hr_reports.models import ReportAuditEntry
from lms.models import Organization, OrganizationAPIKey, Role
from tests import factories as people

pytestmark = pytest.mark.django_db
PAGE = "/hr/api-keys/"
API = "/api/v1/reports/completions/"


@pytest.fixture
def acme():
    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def globex():
    return Organization.objects.create(name="Globex", slug="globex")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def create(client: Client, **fields):
    data = {"name": "Payroll", "scopes": ["reports:read"], "expires_on": in_days(30), **fields}
    return client.post(PAGE, data)


def api_status(raw: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return api.get(API).status_code


def shown_key(html: str) -> str:
    return re.search(r'id="new-key" class="secret" type="text" readonly value="([^"]+)"', html).group(1)


def test_hr_without_an_org_admin_creates_a_key_shown_once_that_works(acme):
    client = client_for(people.member(acme, Role.HR))
    answer = create(client)
    assert answer.status_code == 200 and answer["Cache-Control"].startswith("max-age=0")
    raw = shown_key(answer.content.decode())
    key = OrganizationAPIKey.objects.get(organization=acme)
    assert (key.name, key.scopes, key.expiry_date.date().isoformat()) == ("Payroll", ["reports:read"], in_days(30))
    assert raw not in (key.id + key.hashed_key)  # only a hash is kept
    assert api_status(raw) == 200
    listed = client.get(PAGE).content.decode()
    assert "Payroll" in listed and key.prefix in listed and raw not in listed and 'id="new-key"' not in listed
    assert "Not yet" not in listed  # last used: the API call above touched it
    assert OrganizationAPIKey.objects.get(pk=key.pk).last_used_at is not None
    assert ReportAuditEntry.objects.filter(kind="api_key_created", organization=acme).count() == 1


def test_revoking_after_confirmation_refuses_the_key_at_once(acme):
    client = client_for(people.member(acme, Role.ORG_ADMIN))
    raw = shown_key(create(client).content.decode())
    key = OrganizationAPIKey.objects.get(organization=acme)
    assert api_status(raw) == 200
    confirm = client.get(f"{PAGE}{key.prefix}/revoke/")
    assert confirm.status_code == 200 and "Revoke “Payroll”?" in confirm.content.decode()
    assert client.get(f"{PAGE}{key.prefix}/revoked/").status_code == 405  # only a POST revokes
    answer = client.post(f"{PAGE}{key.prefix}/revoked/")
    assert answer.status_code == 302 and answer["Location"] == PAGE
    assert api_status(raw) == 401
    assert "Revoked" in client.get(PAGE).content.decode()
    assert ReportAuditEntry.objects.filter(kind="api_key_revoked").count() == 1


def test_an_expired_key_gets_401(acme):
    client = client_for(people.member(acme, Role.HR))
    raw = shown_key(create(client, expires_on=in_days(1)).content.decode())
    OrganizationAPIKey.objects.filter(organization=acme).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert api_status(raw) == 401
    assert "Expired" in client.get(PAGE).content.decode()


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"expires_on": in_days(0)}, 422, "The expiry date must be after today."),
    ({"expires_on": in_days(-3)}, 422, "The expiry date must be after today."),
    ({"expires_on": in_days(400)}, 422, "A key lasts at most 365 days."),
    ({"expires_on": ""}, 400, "This field is required."),
    ({"expires_on": "tomorrow"}, 400, "Enter a valid date."),
    ({"name": ""}, 400, "This field is required."),
    ({"scopes": ["admin:all"]}, 400, "Select a valid choice."),
    ({"scopes": []}, 400, "This field is required."),
])
def test_bad_input_is_refused_on_the_form_and_nothing_is_written(acme, fields, status, message):
    answer = create(client_for(people.member(acme, Role.HR)), **fields)
    assert answer.status_code == status
    assert message in answer.content.decode()
    assert not OrganizationAPIKey.objects.exists()


def test_another_organizations_key_is_404_and_stays_usable(acme, globex):
    _, raw = people.api_key_for(globex)
    key = OrganizationAPIKey.objects.get(organization=globex)
    client = client_for(people.member(acme, Role.HR))
    assert client.get(f"{PAGE}{key.prefix}/revoke/").status_code == 404
    assert client.post(f"{PAGE}{key.prefix}/revoked/").status_code == 404
    assert client.post(f"{PAGE}{key.prefix}/revoked/?organization=globex").status_code == 404
    assert "HR system" not in client.get(PAGE).content.decode()
    assert api_status(raw) == 200


def test_learners_and_instructors_get_403(acme):
    for role in (Role.LEARNER, Role.INSTRUCTOR):
        client = client_for(people.member(acme, role))
        assert client.get(PAGE).status_code == 403
        assert create(client).status_code == 403
    assert not OrganizationAPIKey.objects.exists()


def test_the_list_costs_the_same_queries_for_1_or_20_keys(acme, django_assert_max_num_queries):
    client = client_for(people.member(acme, Role.HR))
    people.api_key_for(acme)
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    for number in range(19):
        people.api_key_for(acme, name=f"key {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).content.decode().count("<tr>") == 21


def test_the_page_speaks_portuguese(acme):
    client = client_for(people.member(acme, Role.HR))
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Chaves de API" in html and "Nova chave" in html and "Expira em" in html
    answer = client.post(PAGE, {"name": "x", "scopes": ["reports:read"], "expires_on": in_days(-1)},
                         HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "A data de validade deve ser depois de hoje." in answer.content.decode()
