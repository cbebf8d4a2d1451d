"""Builders for the HR report tests: two organizations, departments, managers, and a learner in both."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from courses.catalog.models import Course
from courses.enrollments import services
from courses.enrollments.models import Enrollment
from lms import outbound
from lms import services as people_services
from lms.models import Department, Membership, Organization, User
from tests import factories as people
from tests.courses.factories import build_course


@pytest.fixture(autouse=True)
def _report_settings(settings, tmp_path):
    settings.REPORTS_SYNC_LAG_SECONDS = 0  # single-threaded tests: nothing is in flight
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORTS_WORK_DIR = str(tmp_path / "work")


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> dict[str, list[str]]:
    """The resolver webhooks use (lms.outbound.resolve), made deterministic: a name a test adds here
    resolves to its addresses, `localhost` through the real resolver, any other name not at all."""
    names: dict[str, list[str]] = {}
    real = outbound.resolve

    def resolve(host: str, port: int) -> list[str]:
        if host in names:
            return list(names[host])
        if host == "localhost":
            return real(host, port)
        raise outbound.OutboundUnresolvable(f"{host} does not resolve")

    monkeypatch.setattr(outbound, "resolve", resolve)
    return names


def add_member(organization: Organization, *roles: str, department: Department | None = None,
               manager: Membership | None = None, employee_id: str = "", **user_fields) -> Membership:
    user = people.UserFactory(**user_fields)
    return people_services.membership_create(organization=organization, user=user, roles=list(roles) or ["learner"],
                                             department=department, manager=manager, employee_id=employee_id)


def enroll(user: User, course: Course, organization: Organization, **fields) -> Enrollment:
    enrollment, _ = services.enrollment_create(user=user, course=course, organization=organization)
    if fields:
        Enrollment.objects.filter(pk=enrollment.pk).update(**fields)
        enrollment.refresh_from_db()
    return enrollment


@dataclass
class World:
    acme: Organization
    globex: Organization
    support: Department
    sales: Department
    boss: Membership
    both: User  # member of both organizations
    alice: User
    bob: User
    hr: User
    globex_hr: User
    course: Course
    other_course: Course
    enrollments: dict


@pytest.fixture
def world(db) -> World:
    acme = people.OrganizationFactory(slug="acme", name="Acme")
    globex = people.OrganizationFactory(slug="globex", name="Globex")
    support = people_services.department_create(organization=acme, name="Support")
    sales = people_services.department_create(organization=acme, name="Sales")
    globex_ops = people_services.department_create(organization=globex, name="Operations")
    boss = add_member(acme, "supervisor", department=support, employee_id="E-1", first_name="Bea",
                      last_name="Boss", email="boss@acme.example")
    alice = add_member(acme, department=support, manager=boss, employee_id="E-2", first_name="Alice",
                       last_name="Able", email="alice@acme.example").user
    bob = add_member(acme, department=sales, employee_id="E-3", first_name="Bob", last_name="Baker",
                     email="bob@acme.example").user
    both_acme = add_member(acme, department=sales, employee_id="E-4", first_name="Cleo", last_name="Both",
                           email="cleo@example.com")
    people_services.membership_create(organization=globex, user=both_acme.user, department=globex_ops,
                                      employee_id="G-77")
    hr = add_member(acme, "hr", first_name="Hana", last_name="Hr", email="hr@acme.example").user
    globex_hr = add_member(globex, "hr", email="hr@globex.example").user
    course = build_course(slug="listening", title="Listening well", activities=[{"title": "Read"}], due_days=30)
    other_course = build_course(slug="calm", title="Staying calm", activities=[{"title": "Read"}])
    now = timezone.now()
    enrollments = {
        "alice": enroll(alice, course, acme),
        "bob": enroll(bob, course, acme, due_at=now - timedelta(days=1)),
        "bob_calm": enroll(bob, other_course, acme),
        "cleo_acme": enroll(both_acme.user, course, acme),
        "cleo_globex": enroll(both_acme.user, other_course, globex),
    }
    return World(acme=acme, globex=globex, support=support, sales=sales, boss=boss, both=both_acme.user,
                 alice=alice, bob=bob, hr=hr, globex_hr=globex_hr, course=course, other_course=other_course,
                 enrollments=enrollments)


def complete(enrollment: Enrollment, *, score: int = 90) -> Enrollment:
    from tests.courses.factories import activities_of

    for activity in activities_of(enrollment.course):
        services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=score)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    return enrollment
