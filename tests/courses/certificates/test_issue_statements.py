"""The certificate issue's kept statements (courses/certificates/issue_statements.py).

The opening read must give the objects the ORM gives. On PostgreSQL a new certificate is drawn under an id
reserved for it and written, with its two events and the enrollment's bump for HR's sync, by one statement,
or not at all when a row for its enrollment exists; what follows the issue (xAPI, webhooks) still happens."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.certificates import issue_statements
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate, CertificateEvent
from courses.certificates.open_badges import credential_verify, status_position
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import WebhookDelivery, WebhookEndpoint
from courses.xapi.models import LrsEndpoint, XapiStatement
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course, postgres_only
from tests.helpers import stored_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    return people.OrganizationFactory(slug="issue-read", name="Issue Read Org")


@pytest.fixture
def enrollment(organization) -> Enrollment:
    return completed_enrollment(course=one_step_course(organization=organization), organization=organization)


def _locked(enrollment_id: int, **kwargs) -> issue_statements.Locked | None:
    with transaction.atomic():
        return issue_statements.enrollment_locked(enrollment_id, **kwargs)


def test_the_lock_reads_what_the_orm_reads(enrollment, organization):
    endpoint = LrsEndpoint.objects.create(organization=organization, url="https://lrs.example/xapi",
                                          credentials_encrypted="-", is_active=True)
    certificate = issued(enrollment, render=False)
    locked = _locked(enrollment.pk, reserve=True)
    expected = Enrollment.objects.select_related("user", "course__organization", "organization").get(pk=enrollment.pk)
    found = locked.enrollment
    assert stored_values(found) == stored_values(expected)
    assert stored_values(found.user) == stored_values(expected.user)
    assert stored_values(found.course) == stored_values(expected.course)
    assert stored_values(found.course.organization) == stored_values(expected.course.organization)
    assert stored_values(found.organization) == stored_values(expected.organization)
    assert found.organization.lrs_endpoint == endpoint
    assert stored_values(locked.certificate) == stored_values(Certificate.objects.get(pk=certificate.pk))
    assert locked.certificate.enrollment is found
    assert locked.reserved_id is None  # it has a certificate: nothing to reserve
    assert locked.webhooks is False


def test_an_unknown_enrollment_reads_nothing():
    assert _locked(10**12, reserve=True) is None


def test_an_inactive_lrs_endpoint_and_a_course_without_organization_read_as_none(organization):
    LrsEndpoint.objects.create(organization=organization, url="https://lrs.example/xapi",
                               credentials_encrypted="-", is_active=False)
    enrollment = completed_enrollment(organization=organization)  # the public catalog's course
    locked = _locked(enrollment.pk)
    assert locked.enrollment.course.organization is None
    assert getattr(locked.enrollment.organization, "lrs_endpoint", None) is None
    assert locked.certificate is None


def test_an_id_is_reserved_only_on_postgresql_for_a_completed_enrollment_without_a_certificate(enrollment):
    on_postgresql = connection.vendor == "postgresql"
    reserved = _locked(enrollment.pk, reserve=True).reserved_id
    assert (reserved is not None) == on_postgresql
    if on_postgresql:
        assert reserved > (Certificate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    assert _locked(enrollment.pk).reserved_id is None  # not asked for
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ACTIVE)
    assert _locked(enrollment.pk, reserve=True).reserved_id is None


@postgres_only
def test_a_new_certificate_takes_two_statements_and_is_whole(enrollment, key_id):
    before = Enrollment.objects.values_list("updated_at", flat=True).get(pk=enrollment.pk)
    with CaptureQueriesContext(connection) as queries:
        made = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    # The lock (with its reads) and the write; no webhook endpoint, so nothing after the commit. (The test's
    # own transaction makes the issue's a savepoint.)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, [sql[:80] for sql in statements]
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert stored_values(certificate) == stored_values(made)
    assert certificate.pdf.name == f"certificates/{certificate.code}.pdf"
    assert certificate.pdf.read().startswith(b"%PDF")
    assert certificate.learner_name == enrollment.user.display_name and certificate.rendered_at is not None
    # The credential was signed before the row existed, under the id the row then took.
    _, index = status_position(certificate.pk)
    assert certificate.credential["credentialStatus"]["statusListIndex"] == str(index)
    assert credential_verify(certificate.credential).verified  # signature, and the status bit is this row's
    events = list(certificate.events.values_list("kind", "at"))
    assert events == [(CertificateEvent.Kind.ISSUED, certificate.issued_at),
                      (CertificateEvent.Kind.RENDERED, certificate.rendered_at)]
    assert Enrollment.objects.values_list("updated_at", flat=True).get(pk=enrollment.pk) > before


def test_what_follows_an_issue_happens_on_every_database(enrollment, organization, key_id,
                                                         django_capture_on_commit_callbacks):
    LrsEndpoint.objects.create(organization=organization, url="https://lrs.example/xapi",
                               credentials_encrypted="-", is_active=True)
    WebhookEndpoint.objects.create(organization=organization, url="https://hooks.example.com/lms",
                                   secret_encrypted="-", event_types=["certificate.issued"])
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    assert XapiStatement.objects.filter(event=f"certificate:{certificate.pk}:earned", verb="earned").count() == 1
    assert list(WebhookDelivery.objects.values_list("event_type", "object_id")) == [
        ("certificate.issued", certificate.pk)]


@postgres_only
def test_a_write_that_finds_a_certificate_writes_nothing(enrollment):
    existing = issued(enrollment, render=False)
    before = Enrollment.objects.values_list("updated_at", flat=True).get(pk=enrollment.pk)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('courses_certificate', 'id'))")
            (reserved,) = cursor.fetchone()
        other = Certificate(pk=reserved, enrollment=enrollment, code="another-code-for-it", learner_name="X",
                            course_title="Y", course_language="en", issuer_name="Z", hours_credited=1)
        now = timezone.now()
        assert not issue_statements.certificate_insert(other, [(CertificateEvent.Kind.ISSUED, now, {})])
    assert list(Certificate.objects.filter(enrollment=enrollment).values_list("pk", flat=True)) == [existing.pk]
    assert not Certificate.objects.filter(pk=reserved).exists()
    assert list(CertificateEvent.objects.filter(certificate=existing).values_list("kind", flat=True)) == [
        CertificateEvent.Kind.ISSUED]
    assert Enrollment.objects.values_list("updated_at", flat=True).get(pk=enrollment.pk) == before


@postgres_only
def test_when_another_row_wins_the_drawn_file_is_removed_and_that_row_stands(enrollment, key_id, monkeypatch):
    """A row written without the enrollment's lock (none of ours is) between the read and the write."""
    write = issue_statements.certificate_insert
    rival: list[Certificate] = []

    def rival_first(certificate, events):
        rival.append(Certificate.objects.create(enrollment=certificate.enrollment, code="rival-code-0001",
                                                learner_name="Rival", course_title="T", course_language="en",
                                                issuer_name="I", hours_credited=1))
        return write(certificate, events)

    monkeypatch.setattr(issue_statements, "certificate_insert", rival_first)
    result = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    assert result.pk == rival[0].pk and result.pdf and result.credential is not None
    files = sorted(path.name for path in (Path(settings.MEDIA_ROOT) / "certificates").iterdir())
    assert files == ["rival-code-0001.pdf"]
