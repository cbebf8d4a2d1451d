"""The back office: the endpoint is saved through the service (URL checked, credentials encrypted and never
shown), the outbox is read-only with a retry of failed statements."""
from __future__ import annotations

import pytest
from django.test import Client

from courses.xapi import statements as xs
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.services import outbox
from courses.xapi.services.endpoints import endpoint_credentials
from tests import factories as people

pytestmark = pytest.mark.django_db

FORM = {"url": "https://lrs.example.invalid/xAPI", "version": "1.0.3", "actor_mode": "account", "is_active": "on",
        "username": "lms", "password": "a-long-lrs-password"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_saves_through_the_service_and_never_shows_the_credentials(org, monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    client = _client(people.UserFactory(is_superuser=True, is_staff=True))
    add = "/admin/courses/lrsendpoint/add/"
    refused = client.post(add, {**FORM, "organization": org.organization.pk, "url": "https://127.0.0.1/x"})
    assert refused.status_code == 200 and LrsEndpoint.objects.count() == 0
    missing = client.post(add, {**FORM, "organization": org.organization.pk, "password": ""})
    assert missing.status_code == 200 and LrsEndpoint.objects.count() == 0
    assert client.post(add, {**FORM, "organization": org.organization.pk}).status_code == 302
    endpoint = LrsEndpoint.objects.get()
    assert endpoint_credentials(endpoint) == ("lms", "a-long-lrs-password")
    page = client.get(f"/admin/courses/lrsendpoint/{endpoint.pk}/change/").content.decode()
    assert "a-long-lrs-password" not in page and endpoint.credentials_encrypted not in page
    # A change without a password keeps the credentials.
    changed = client.post(f"/admin/courses/lrsendpoint/{endpoint.pk}/change/",
                          {**FORM, "organization": org.organization.pk, "version": "2.0.0", "password": ""})
    assert changed.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.version == "2.0.0" and endpoint_credentials(endpoint) == ("lms", "a-long-lrs-password")

    row = XapiStatement.objects.create(statement_id=xs.statement_id("t:1"), organization=org.organization,
                                       event="t:1", verb="launched", statement={}, status="failed")
    assert client.get("/admin/courses/xapistatement/").status_code == 200
    sent: list[int] = []
    monkeypatch.setattr(outbox, "xapi_send_schedule", lambda org_id, countdown=0: sent.append(org_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/courses/xapistatement/", {"action": "retry_failed",
                                                                 "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending" and sent == [org.organization.pk]
