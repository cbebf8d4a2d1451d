"""Builders for the xAPI tests: an organization with an admin, a learner and (optionally) an LRS endpoint."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from courses.xapi.models import LrsEndpoint
from courses.xapi.services import endpoints as endpoint_services
from lms.models import Organization, User
from tests import factories as people
from tests.courses.xapi.lrs import PASSWORD, RALPH, SKIP_REASON, USERNAME, Lrs, ralph


@dataclass
class Org:
    organization: Organization
    admin: User
    learner: User


@pytest.fixture
def org(db) -> Org:
    organization = people.OrganizationFactory(slug="xapi-org", name="xAPI Org")
    return Org(organization=organization, admin=people.member(organization, "org_admin"),
               learner=people.member(organization, user__email="learner@xapi.example"))


def configure(organization: Organization, url: str, **fields) -> LrsEndpoint:
    endpoint, _ = endpoint_services.lrs_endpoint_set(organization=organization, url=url, username=USERNAME,
                                                     password=PASSWORD, **fields)
    return endpoint


@pytest.fixture
def lrs(tmp_path) -> Lrs:
    if not RALPH.exists():
        pytest.skip(SKIP_REASON)
    with ralph(tmp_path / "ralph") as running:
        yield running
