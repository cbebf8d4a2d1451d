"""Reading the access log: an organization's admins see their organization's entries (page and API, filtered,
paginated), nobody else does; a person's export gets what concerns them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from lms.models import ApiKeyScope, Membership
from lms.privacy.access_selectors import access_log_for
from lms.privacy.access_services import Channel, access_record
from lms.privacy.models import AccessLogEntry
from tests import factories
from tests.helpers import assert_error
from tests.lms.privacy.access_log_world import AccessWorld, build_access_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_world(db, settings, tmp_path) -> AccessWorld:
    return build_access_world(settings, tmp_path)

API = "/api/v1/privacy/organizations/{}/access-log/"
PAGE = "/org/privacy/access-log/"


@pytest.fixture
def logged(access_world):
    """Reads in both organizations: HR read Alice's page and the report; an instructor read Bob's grades
    yesterday; Globex's admin read Gina."""
    w = access_world
    access_record(actor=w.hr, organization=w.acme, channel=Channel.PAGE, what="hr.person", subject=w.alice)
    access_record(actor=w.hr, organization=w.acme, channel=Channel.REPORT, what="report.completions")
    [yesterday] = access_record(actor=w.instructor, organization=w.acme, channel=Channel.PAGE,
                                what="gradebook.learner", subject=w.bob)
    AccessLogEntry.objects.filter(pk=yesterday.pk).update(at=timezone.now() - timedelta(days=1))
    access_record(actor=w.globex_admin, organization=w.globex, channel=Channel.API, what="people.membership",
                  subject=w.globex_learner)
    return w


def _signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- the API -------------------------------------------------------------------------------

def test_an_admin_reads_their_organizations_entries_newest_first(logged, client_for):
    w = logged
    body = client_for(w.admin).get(API.format("acme")).json()
    assert body["count"] == 3
    assert [entry["what"] for entry in body["results"]] == ["report.completions", "hr.person", "gradebook.learner"]
    person = body["results"][1]
    assert person["actor"] == {"id": w.hr.pk, "name": "Hana Hr", "email": "hr@acme.example"}
    assert person["subject"]["email"] == "alice@acme.example"
    assert person["channel"] == "page" and person["api_key"] is None and person["people"] == 1
    assert body["results"][0]["subject"] is None


def test_filters_narrow_the_list(logged, client_for):
    w = logged
    client = client_for(w.admin)

    def whats(**query) -> list[str]:
        response = client.get(API.format("acme"), query)
        assert response.status_code == 200, response.content
        return [entry["what"] for entry in response.json()["results"]]

    assert whats(person=w.bob.pk) == ["gradebook.learner"]
    assert whats(actor=w.hr.pk) == ["report.completions", "hr.person"]
    assert whats(channel="report") == ["report.completions"]
    today = timezone.now().date()
    assert whats(since=today.isoformat()) == ["report.completions", "hr.person"]
    assert whats(until=(today - timedelta(days=1)).isoformat()) == ["gradebook.learner"]
    assert whats(person=w.globex_learner.pk) == []  # another organization's person is simply absent


@pytest.mark.parametrize("query", [{"channel": "phone"}, {"since": "yesterday"}, {"person": "alice"},
                                   {"person": "0"}, {"since": "2026-02-02", "until": "2026-02-01"},
                                   {"page_size": "0"}])
def test_bad_filters_are_a_clear_400(logged, client_for, query):
    body = assert_error(client_for(logged.admin).get(API.format("acme"), query), 400)
    assert set(body["fields"]) & (set(query) | {"until"})


def test_another_organizations_admin_gets_404(logged, client_for):
    assert_error(client_for(logged.globex_admin).get(API.format("acme")), 404)
    assert_error(client_for(logged.admin).get(API.format("globex")), 404)
    assert_error(client_for(logged.admin).get(API.format("nowhere")), 404)


def test_hr_learners_and_api_keys_are_refused(logged, client_for):
    w = logged
    assert_error(client_for(w.hr).get(API.format("acme")), 403)
    assert_error(client_for(w.alice).get(API.format("acme")), 404)
    assert_error(client_for(w.instructor).get(API.format("acme")), 404)
    for scope in (ApiKeyScope.REPORTS_READ, ApiKeyScope.PEOPLE_READ):
        _, raw = factories.api_key_for(w.acme, scopes=[scope])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        assert_error(client.get(API.format("acme")), 403)
    assert_error(APIClient().get(API.format("acme")), 401)


def test_an_api_keys_read_shows_the_key(logged, client_for):
    w = logged
    key, raw = factories.api_key_for(w.acme, name="Payroll sync", scopes=[ApiKeyScope.PEOPLE_READ])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    bob = Membership.objects.get(user=w.bob)
    assert client.get(f"/api/v1/organizations/acme/memberships/{bob.pk}/").status_code == 200
    entry = client_for(w.admin).get(API.format("acme"), {"channel": "api"}).json()["results"][0]
    assert entry["actor"] is None and entry["api_key"] == {"prefix": key.prefix, "name": "Payroll sync"}
    assert entry["subject"]["id"] == w.bob.pk


# --- the page ------------------------------------------------------------------------------

def test_the_page_shows_the_organizations_reads_in_a_table(logged):
    html = _signed_in(logged.admin).get(PAGE).content.decode()
    assert "<caption" in html and "Reads of people's data, newest first" in html
    assert "alice@acme.example" in html and "bob@acme.example" in html
    assert "gina@globex.example" not in html


def test_the_page_filters_by_person_reader_channel_and_days(logged):
    client = _signed_in(logged.admin)
    html = client.get(PAGE, {"person": "alice"}).content.decode()
    assert "alice@acme.example" in html and "bob@acme.example" not in html
    html = client.get(PAGE, {"actor": "teacher@"}).content.decode()
    assert "bob@acme.example" in html and "alice@acme.example" not in html
    html = client.get(PAGE, {"channel": "report"}).content.decode()
    assert "report.completions" in html and "hr.person" not in html
    response = client.get(PAGE, {"since": "2026-02-02", "until": "2026-02-01"})
    assert response.status_code == 200 and "The end comes before the start." in response.content.decode()


def test_the_page_is_paginated(logged):
    w = logged
    for _ in range(55):
        access_record(actor=w.hr, organization=w.acme, channel=Channel.PAGE, what="hr.people")
    client = _signed_in(w.admin)
    first = client.get(PAGE).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in client.get(PAGE, {"page": "2"}).content.decode()


def test_the_page_renders_in_portuguese(logged):
    html = _signed_in(logged.admin, "pt-BR").get(PAGE).content.decode()
    assert "Registro de acessos" in html and "Lido por" in html and "Relatório" in html


def test_the_page_is_for_admins_of_their_own_organization(logged):
    w = logged
    assert _signed_in(w.hr).get(PAGE).status_code == 403
    assert _signed_in(w.alice).get(PAGE).status_code == 403
    assert _signed_in(w.globex_admin).get(PAGE, {"organization": "acme"}).status_code == 404
    html = _signed_in(w.globex_admin).get(PAGE).content.decode()
    assert "gina@globex.example" in html and "alice@acme.example" not in html
    assert Client().get(PAGE).status_code == 302  # to the sign-in page


# --- the person's export -------------------------------------------------------------------

def test_a_persons_export_lists_reads_of_them_and_reads_of_many(logged):
    w = logged
    rows = access_log_for(w.alice)
    assert [(row["what"], row["about"]) for row in rows] == [("hr.person", "you"), ("report.completions", "many")]
    assert rows[0]["reader"] == {"person": "Hana Hr"} and rows[0]["organization"] == "Acme"
    assert [row["what"] for row in access_log_for(w.globex_learner)] == ["people.membership"]
