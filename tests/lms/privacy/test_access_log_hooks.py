"""Each place where someone reads other people's data leaves exactly one access-log entry naming the reader (a
person or an API key), whose data (or how many people) and the channel; a person reading their own data leaves
none."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from courses.certificates import services as certificate_services
from courses.enrollments import services as enrollment_services
from courses.hr_reports.queries import Filters
from courses.hr_reports.services import exports as report_services
from lms import services as people_services
from lms.models import ApiKeyScope, Membership, OrganizationAPIKey
from lms.privacy.access_services import Channel, access_record
from lms.privacy.models import AccessLogEntry
from tests import factories
from tests.courses.factories import activities_of
from tests.lms.privacy.access_log_world import AccessWorld, build_access_world, only_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_world(db, settings, tmp_path) -> AccessWorld:
    return build_access_world(settings, tmp_path)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _key_client(organization, *scopes) -> tuple[OrganizationAPIKey, APIClient]:
    key, raw = factories.api_key_for(organization, name="Payroll sync", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return key, client


# --- the service ---------------------------------------------------------------------------

def test_a_record_is_one_insert_and_no_read(access_world, django_assert_num_queries):
    w = access_world
    with django_assert_num_queries(1):
        access_record(actor=w.hr, organization=w.acme, channel=Channel.PAGE, what="hr.person", subject=w.alice)
    only_entry(actor=w.hr, subject=w.alice, organization=w.acme, people=1, channel="page", what="hr.person")


def test_a_read_over_several_organizations_is_still_one_insert(access_world, django_assert_num_queries):
    w = access_world
    with django_assert_num_queries(1):
        access_record(actor=w.hr, organization={w.acme.pk, w.globex.pk}, channel=Channel.REPORT, what="report")
    assert sorted(AccessLogEntry.objects.values_list("organization__slug", flat=True)) == ["acme", "globex"]


def test_reading_ones_own_data_writes_nothing(access_world, django_assert_num_queries):
    w = access_world
    with django_assert_num_queries(0):
        access_record(actor=w.alice, organization=w.acme, channel=Channel.API, what="x", subject=w.alice.pk)
    assert not AccessLogEntry.objects.exists()


def test_an_address_in_the_detail_is_not_kept(access_world):
    w = access_world
    access_record(actor=w.hr, organization=w.acme, channel=Channel.REPORT, what="report.completions",
                  detail={"manager": "boss@acme.example", "status": "active", "department": 3})
    assert only_entry().detail == {"manager": "(address)", "status": "active", "department": 3}


def test_an_api_keys_entry_outlives_the_key(access_world):
    w = access_world
    key, client = _key_client(w.acme, ApiKeyScope.PEOPLE_READ)
    membership = Membership.objects.get(user=w.alice)
    assert client.get(f"/api/v1/organizations/acme/memberships/{membership.pk}/").status_code == 200
    only_entry(actor=None, api_key=key, api_key_prefix=key.prefix, api_key_label="Payroll sync", subject=w.alice,
               channel="api", what="people.membership")
    key.delete()
    entry = only_entry(api_key=None, api_key_prefix=key.prefix, api_key_label="Payroll sync")
    assert entry.subject == w.alice


# --- HR reports ----------------------------------------------------------------------------

def test_the_report_and_its_sync_are_logged_by_reader(access_world, client_for):
    w = access_world
    assert client_for(w.hr).get("/api/v1/reports/completions/").status_code == 200
    only_entry(actor=w.hr, subject=None, organization=w.acme, channel="report", what="report.completions")
    AccessLogEntry.objects.all().delete()
    response = client_for(w.hr).get("/api/v1/reports/completions/", {"updated_since": "2020-01-01T00:00:00Z"})
    assert response.status_code == 200
    only_entry(actor=w.hr, channel="report", what="report.sync")


def test_a_superusers_report_read_is_logged_in_every_organization_it_covers(access_world, client_for):
    w = access_world
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    assert client_for(superuser).get("/api/v1/reports/completions/").status_code == 200
    entries = AccessLogEntry.objects.filter(actor=superuser, what="report.completions")
    assert sorted(entries.values_list("organization__slug", flat=True)) == ["acme", "globex"]
    AccessLogEntry.objects.all().delete()
    assert client_for(superuser).get("/api/v1/reports/completions/", {"organization": "globex"}).status_code == 200
    only_entry(actor=superuser, organization=w.globex, channel="report", what="report.completions")


def test_the_report_read_by_an_api_key_names_the_key(access_world):
    w = access_world
    key, client = _key_client(w.acme, ApiKeyScope.REPORTS_READ)
    assert client.get("/api/v1/reports/completions/", {"format": "csv"}).status_code == 200
    only_entry(actor=None, api_key=key, api_key_prefix=key.prefix, organization=w.acme, channel="report")


def test_an_export_download_is_logged_for_whoever_asked_for_it(access_world, api_client):
    w = access_world
    export, _ = report_services.report_export_request(actor=w.hr, organization=w.acme, export_format="csv",
                                                      filters=Filters())
    done = report_services.report_export_run(export_id=export.pk)
    AccessLogEntry.objects.all().delete()
    response = api_client.get(report_services.download_url(done))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = only_entry(actor=w.hr, subject=None, organization=w.acme, channel="export", what="report.export")
    assert entry.detail == {"export": done.pk, "format": "csv"}


def test_hr_people_and_one_persons_page_are_logged(access_world):
    w = access_world
    client = _signed_in(w.hr)
    assert client.get("/hr/people/").status_code == 200
    only_entry(actor=w.hr, subject=None, organization=w.acme, channel="page", what="hr.people", people=2)
    AccessLogEntry.objects.all().delete()
    assert client.get(f"/hr/people/{w.alice.pk}/").status_code == 200
    only_entry(actor=w.hr, subject=w.alice, organization=w.acme, channel="page", what="hr.person")


# --- the gradebook -------------------------------------------------------------------------

def test_the_gradebook_page_its_learner_and_its_downloads_are_logged(access_world):
    w = access_world
    client = _signed_in(w.instructor)
    base = f"/teach/courses/{w.course.slug}/gradebook/"
    assert client.get(base).status_code == 200
    only_entry(actor=w.instructor, subject=None, organization=w.acme, channel="page", what="gradebook", people=2)
    AccessLogEntry.objects.all().delete()
    assert client.get(f"{base}{w.alice_enrollment.pk}/").status_code == 200
    only_entry(actor=w.instructor, subject=w.alice, channel="page", what="gradebook.learner")
    for extension in ("csv", "xlsx"):
        AccessLogEntry.objects.all().delete()
        assert client.get(f"{base}gradebook.{extension}").status_code == 200
        only_entry(actor=w.instructor, subject=None, channel="export", what=f"gradebook.{extension}", people=2)


def test_the_gradebook_api_is_logged(access_world, client_for):
    w = access_world
    client = client_for(w.instructor)
    assert client.get(f"/api/v1/courses/{w.course.slug}/gradebook/").status_code == 200
    only_entry(actor=w.instructor, subject=None, channel="api", what="gradebook", people=2)
    AccessLogEntry.objects.all().delete()
    assert client.get(f"/api/v1/courses/{w.course.slug}/gradebook/{w.alice_enrollment.pk}/").status_code == 200
    only_entry(actor=w.instructor, subject=w.alice, channel="api", what="gradebook.learner")


def test_an_instructor_reading_their_own_line_of_the_gradebook_is_not_logged(access_world):
    w = access_world
    own, _ = enrollment_services.enrollment_create(user=w.instructor, course=w.course, organization=w.acme)
    AccessLogEntry.objects.all().delete()
    response = _signed_in(w.instructor).get(f"/teach/courses/{w.course.slug}/gradebook/{own.pk}/")
    assert response.status_code == 200
    assert not AccessLogEntry.objects.exists()


# --- the people API and SCIM ---------------------------------------------------------------

def test_the_people_api_list_and_detail_are_logged(access_world, client_for):
    w = access_world
    client = client_for(w.admin)
    assert client.get("/api/v1/organizations/acme/memberships/").status_code == 200
    only_entry(actor=w.admin, subject=None, organization=w.acme, channel="api", what="people.memberships", people=5)
    AccessLogEntry.objects.all().delete()
    bob = Membership.objects.get(user=w.bob)
    assert client.get(f"/api/v1/organizations/acme/memberships/{bob.pk}/").status_code == 200
    only_entry(actor=w.admin, subject=w.bob, channel="api", what="people.membership")
    AccessLogEntry.objects.all().delete()
    own = Membership.objects.get(user=w.admin)
    assert client.get(f"/api/v1/organizations/acme/memberships/{own.pk}/").status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_scim_reads_of_users_are_logged_by_key(access_world):
    w = access_world
    key, client = _key_client(w.acme, ApiKeyScope.SCIM_WRITE)
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nina@acme.example",
            "name": {"givenName": "Nina", "familyName": "Novak"}, "active": True,
            "emails": [{"value": "nina@acme.example", "primary": True}]}
    created = client.post("/scim/v2/Users", body, format="json")
    assert created.status_code == 201, created.content
    AccessLogEntry.objects.all().delete()
    assert client.get("/scim/v2/Users").status_code == 200
    only_entry(api_key=key, subject=None, channel="api", what="scim.users", people=1)
    AccessLogEntry.objects.all().delete()
    assert client.get(f"/scim/v2/Users/{created.json()['id']}").status_code == 200
    only_entry(api_key=key, subject=Membership.objects.get(scim_users__isnull=False).user, what="scim.user")


# --- the admin -----------------------------------------------------------------------------

def _certificate(w):
    for activity in activities_of(w.course):
        enrollment_services.activity_record_result(enrollment=w.alice_enrollment, activity=activity, passed=True,
                                                   score=100)
    return certificate_services.certificate_issue(enrollment_id=w.alice_enrollment.pk)


def test_admin_change_pages_of_a_persons_rows_are_logged(access_world):
    w = access_world
    certificate = _certificate(w)
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client = _signed_in(superuser)
    pages = {
        f"/admin/lms/user/{w.alice.pk}/change/": "admin.user",
        f"/admin/lms/membership/{Membership.objects.get(user=w.alice).pk}/change/": "admin.membership",
        f"/admin/courses/enrollment/{w.alice_enrollment.pk}/change/": "admin.enrollment",
        f"/admin/courses/certificate/{certificate.pk}/change/": "admin.certificate",
    }
    for url, what in pages.items():
        AccessLogEntry.objects.all().delete()
        assert client.get(url).status_code == 200, url
        only_entry(actor=superuser, subject=w.alice, organization=w.acme, channel="admin", what=what)


def test_an_org_admin_in_the_admin_is_logged_in_their_organization_only(access_world):
    w = access_world
    people_services.membership_create(organization=w.globex, user=w.alice, roles=["learner"])
    Membership.objects.filter(user=w.admin).update(is_org_admin=True)
    type(w.admin).objects.filter(pk=w.admin.pk).update(is_staff=True)
    AccessLogEntry.objects.all().delete()
    assert _signed_in(w.admin).get(f"/admin/lms/user/{w.alice.pk}/change/").status_code == 200
    only_entry(actor=w.admin, subject=w.alice, organization=w.acme, channel="admin")
