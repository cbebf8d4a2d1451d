"""scim2-tester, the RFC 7643/7644 compliance checker, against a live HTTP server of ours.

Every check it has runs on the features our ServiceProviderConfig declares (patch, filter, etag; no bulk,
no sort, no password change); the only statuses allowed are success and the RFC's optional ones.
"""
from __future__ import annotations

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from lms.models import ApiKeyScope
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}


@pytest.fixture
def scim_http(live_server):
    organization = factories.OrganizationFactory()
    _, raw = factories.api_key_for(organization, name="IdP", scopes=[ApiKeyScope.SCIM_WRITE])
    with httpx2.Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"},
                       timeout=30) as http:
        yield SyncSCIMClient(http)


def _failures(results) -> list[str]:
    return [f"{result.status.name} {result.resource_type or ''} {result.title}: {result.reason}"
            for result in results if result.status not in PASSING]


def test_the_compliance_checker_finds_no_failure(scim_http):
    results = check_server(scim_http)

    assert _failures(results) == []
    # Every check ran (none skipped as unsupported) and passed: discovery, create, read (with attributes and
    # excludedAttributes, by id, listed, searched), replace, delete, PATCH add, replace and remove.
    assert {result.status for result in results} == {Status.SUCCESS}
    assert len(results) >= 80
    titles = {result.title for result in results}
    for check in ("object_creation", "object_replacement", "object_deletion", "check_add_attribute",
                  "check_remove_attribute", "check_replace_attribute", "search_with_attributes"):
        assert check in titles
    assert {result.resource_type for result in results} >= {"User", "Group"}
