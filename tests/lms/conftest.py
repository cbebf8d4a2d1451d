"""A small world for the people tests: organization A with one person per role and an HR key,
and organization B with its own admin, department, member and key."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from lms.models import Department, Membership, Organization, User
from tests import factories

ACTORS = [
    "anonymous", "learner", "instructor", "supervisor", "hr", "org_admin", "api_key",
    "other_org_admin", "other_api_key",
]


@dataclass
class World:
    org: Organization
    other_org: Organization
    department: Department
    other_department: Department
    members: dict[str, Membership]
    other_member: Membership
    other_admin: User
    raw_keys: dict[str, str]
    clients: dict[str, APIClient] = field(default_factory=dict)

    def client(self, actor: str) -> APIClient:
        return self.clients[actor]


def token_client(user) -> APIClient:
    """A client that authenticates the real way, with a personal token in the header."""
    _, raw = factories.token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def api_key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def world(db) -> World:
    org = factories.OrganizationFactory(slug="org-a", name="Organization A")
    other_org = factories.OrganizationFactory(slug="org-b", name="Organization B")
    department = factories.DepartmentFactory(organization=org, name="Customer Care", code="CC")
    other_department = factories.DepartmentFactory(organization=other_org, name="Billing", code="BI")
    members = {
        role: factories.MembershipFactory(
            organization=org, roles=[role], user__email=f"{role}@a.example", department=department,
        )
        for role in ("learner", "instructor", "supervisor", "hr", "org_admin")
    }
    other_admin = factories.member(other_org, "org_admin", user__email="admin@b.example")
    other_member = factories.MembershipFactory(organization=other_org, user__email="learner@b.example",
                                               department=other_department)
    _, raw_a = factories.api_key_for(org)
    _, raw_b = factories.api_key_for(other_org)
    w = World(org=org, other_org=other_org, department=department, other_department=other_department,
              members=members, other_member=other_member, other_admin=other_admin,
              raw_keys={"api_key": raw_a, "other_api_key": raw_b})
    w.clients["anonymous"] = APIClient()
    for role, membership in members.items():
        w.clients[role] = token_client(membership.user)
    w.clients["other_org_admin"] = token_client(other_admin)
    w.clients["api_key"] = api_key_client(raw_a)
    w.clients["other_api_key"] = api_key_client(raw_b)
    return w
