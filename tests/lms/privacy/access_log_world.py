"""A small world for the access-log tests: Acme (an admin, HR, an instructor teaching a course, two learners
enrolled, an API key) and Globex (its own admin and a learner)."""
from __future__ import annotations

from dataclasses import dataclass

from courses.catalog.models import Course
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from lms import services as people_services
from lms.models import Organization, User
from lms.privacy.models import AccessLogEntry
from tests import factories
from tests.courses.factories import build_course


@dataclass
class AccessWorld:
    acme: Organization
    globex: Organization
    admin: User
    hr: User
    instructor: User
    alice: User
    bob: User
    globex_admin: User
    globex_learner: User
    course: Course
    alice_enrollment: Enrollment


def person(organization: Organization, *roles: str, **fields) -> User:
    user = factories.UserFactory(**fields)
    people_services.membership_create(organization=organization, user=user, roles=list(roles) or ["learner"])
    return user


def build_access_world(settings, tmp_path) -> AccessWorld:
    """The world; each test module's ``access_world`` fixture calls it."""
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORTS_WORK_DIR = str(tmp_path / "work")
    acme = factories.OrganizationFactory(slug="acme", name="Acme")
    globex = factories.OrganizationFactory(slug="globex", name="Globex")
    admin = person(acme, "org_admin", email="admin@acme.example", first_name="Ada", last_name="Admin")
    hr = person(acme, "hr", email="hr@acme.example", first_name="Hana", last_name="Hr")
    instructor = person(acme, "instructor", email="teacher@acme.example", first_name="Theo", last_name="Teach")
    alice = person(acme, email="alice@acme.example", first_name="Alice", last_name="Able")
    bob = person(acme, email="bob@acme.example", first_name="Bob", last_name="Baker")
    globex_admin = person(globex, "org_admin", email="admin@globex.example")
    globex_learner = person(globex, email="gina@globex.example", first_name="Gina", last_name="Globex")
    course = build_course(slug="listening", title="Listening well", organization=acme,
                          activities=[{"title": "Read"}])
    course.instructors.add(instructor)
    alice_enrollment, _ = enrollment_services.enrollment_create(user=alice, course=course, organization=acme)
    enrollment_services.enrollment_create(user=bob, course=course, organization=acme)
    AccessLogEntry.objects.all().delete()  # only what the test itself reads
    return AccessWorld(acme=acme, globex=globex, admin=admin, hr=hr, instructor=instructor, alice=alice, bob=bob,
                       globex_admin=globex_admin, globex_learner=globex_learner, course=course,
                       alice_enrollment=alice_enrollment)


def only_entry(**expected) -> AccessLogEntry:
    """The one entry written, checked against ``expected`` (column: value)."""
    entries = list(AccessLogEntry.objects.all())
    assert len(entries) == 1, [(e.channel, e.what, e.actor_id, e.subject_id) for e in entries]
    entry = entries[0]
    for name, value in expected.items():
        assert getattr(entry, name) == value, (name, getattr(entry, name), value)
    return entry
