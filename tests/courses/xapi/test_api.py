"""The xAPI API for org admins: scope (another organization is 404, other roles 403), clear 4xx for bad
input with nothing written, credentials write-only and encrypted, the outbox list's query count."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from courses.xapi import statements as xs
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.services.endpoints import endpoint_credentials
from lms.models import User
from tests import factories as people
from tests.courses.hr_reports.receiver import receiver
from tests.courses.xapi.conftest import configure
from tests.courses.xapi.lrs import USERNAME
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _url(org, tail: str = "endpoint/") -> str:
    return f"/api/v1/organizations/{org.organization.slug}/xapi/{tail}"


GOOD = {"url": "https://lrs.example.invalid/xAPI", "username": "lms", "password": "a-long-lrs-password"}


def test_an_org_admin_sets_the_endpoint_and_never_reads_the_credentials_back(org, client_for):
    admin = client_for(org.admin)
    assert_error(admin.get(_url(org)), 404, "lrs_not_configured")
    created = admin.put(_url(org), {**GOOD, "actor_mode": "mbox_sha1sum"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == GOOD["url"] and body["version"] == "1.0.3" and body["actor_mode"] == "mbox_sha1sum"
    assert body["statements"] == {"pending": 0, "sent": 0, "failed": 0}
    assert "a-long-lrs-password" not in created.content.decode() and "username" not in body
    endpoint = LrsEndpoint.objects.get()
    assert "a-long-lrs-password" not in endpoint.credentials_encrypted
    assert endpoint_credentials(endpoint) == ("lms", "a-long-lrs-password")
    # A change without credentials keeps them; 2.0 is chosen.
    changed = admin.put(_url(org), {"url": GOOD["url"], "version": "2.0.0"}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == "2.0.0"
    assert endpoint_credentials(LrsEndpoint.objects.get()) == ("lms", "a-long-lrs-password")
    assert admin.delete(_url(org)).status_code == 204
    assert LrsEndpoint.objects.count() == 0


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"url": "https://lrs.example.invalid/xAPI"}, 422, "lrs_credentials_required"),
    ({**GOOD, "url": "http://lrs.example.invalid/xAPI"}, 422, "invalid_lrs_endpoint"),
    ({**GOOD, "url": "https://127.0.0.1/xAPI"}, 422, "lrs_target_refused"),
    ({**GOOD, "url": "https://169.254.169.254/latest"}, 422, "lrs_target_refused"),
    ({**GOOD, "username": "has:colon"}, 422, "lrs_credentials_required"),
    ({**GOOD, "version": "0.9"}, 400, None),
    ({**GOOD, "actor_mode": "name"}, 400, None),
    ({**GOOD, "extra": 1}, 400, None),
    ({**GOOD, "url": 7}, 400, None),
])
def test_bad_input_is_a_clear_4xx_and_nothing_is_written(org, client_for, body, status, code):
    assert_error(client_for(org.admin).put(_url(org), body, format="json"), status, code)
    assert LrsEndpoint.objects.count() == 0


def test_only_the_organizations_admins(org, client_for):
    other = people.OrganizationFactory(slug="other-org")
    other_admin = people.member(other, "org_admin")
    hr = people.member(org.organization, "hr")
    for path in ("endpoint/", "statements/"):
        assert_error(client_for(other_admin).get(_url(org, path)), 404, "organization_not_found")
        assert_error(client_for(hr).get(_url(org, path)), 403)
        assert_error(client_for(org.learner).get(_url(org, path)), 403)
    assert_error(client_for(other_admin).put(_url(org), GOOD, format="json"), 404)
    assert LrsEndpoint.objects.count() == 0


def test_connection_test_reports_what_the_lrs_said(org, client_for, lrs):
    admin = client_for(org.admin)
    configure(org.organization, lrs.base)
    assert admin.post(_url(org, "endpoint/test/")).json() == {"ok": True, "status_code": 200, "detail": "Connected."}
    assert admin.put(_url(org), {"url": lrs.base, "username": USERNAME, "password": "not-the-password"},
                     format="json").status_code == 200
    assert admin.post(_url(org, "endpoint/test/")).json() == {
        "ok": False, "status_code": 401, "detail": "The LRS refused the credentials."}


def test_the_outbox_list_takes_the_same_queries_for_1_and_30_rows_and_retry_requeues_failed(org, client_for):
    with receiver() as hook:
        with override_settings(XAPI_TEST_TARGETS=[hook.target]):
            configure(org.organization, f"http://{hook.target}/xapi")
    admin = client_for(org.admin)

    def add(count: int, start: int) -> None:
        XapiStatement.objects.bulk_create([XapiStatement(
            statement_id=xs.statement_id(f"t:{n}"), organization=org.organization, event=f"t:{n}", verb="launched",
            statement={"id": str(xs.statement_id(f"t:{n}"))}, status="failed") for n in range(start, start + count)])

    def queries() -> int:
        fresh = client_for(User.objects.get(pk=org.admin.pk))  # the caller's roles are not cached yet
        with CaptureQueriesContext(connection) as captured:
            response = fresh.get(_url(org, "statements/"))
        assert response.status_code == 200
        return len(captured)

    add(1, 0)
    assert queries() == 3  # the caller's roles, the organization, one page of rows
    add(29, 1)
    assert queries() == 3
    body = admin.get(_url(org, "statements/") + "?status=failed&page_size=10").json()
    assert len(body["results"]) == 10 and body["next"]
    assert_error(admin.get(_url(org, "statements/") + "?status=lost"), 400)
    retried = admin.post(_url(org, "statements/retry/"))
    assert retried.status_code == 202 and retried.json() == {"retried": 30}
    assert set(XapiStatement.objects.values_list("status", flat=True)) == {"pending"}
