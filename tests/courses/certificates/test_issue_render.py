"""Issue and render in one transaction (what the issue task does)."""
from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate, CertificateEvent
from courses.certificates.pdf import TEMPLATE_VERSION
from tests.courses.certificates.conftest import completed_enrollment, issued

pytestmark = pytest.mark.django_db


def test_a_new_certificate_is_issued_rendered_and_signed_without_an_existence_check(key_id, monkeypatch):
    enrollment = completed_enrollment()

    def exists(self, name):
        raise AssertionError(f"a new certificate's file needs no existence check ({name})")

    monkeypatch.setattr(FileSystemStorage, "exists", exists)
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.pdf.name == f"certificates/{certificate.code}.pdf"
    assert certificate.template_version == TEMPLATE_VERSION and certificate.rendered_at is not None
    assert certificate.credential["proof"][0]["verificationMethod"].endswith(key_id)
    kinds = list(CertificateEvent.objects.filter(certificate=certificate).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.RENDERED])


def test_a_render_that_fails_leaves_no_certificate_behind(monkeypatch):
    """One transaction: the row is not committed without its PDF, so the task's retry starts afresh."""
    enrollment = completed_enrollment()

    def broken(content):
        raise OSError("disk full")

    monkeypatch.setattr(certificate_services, "render_certificate_pdf", broken)
    with pytest.raises(OSError):
        certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()


def test_an_existing_certificate_is_rendered_only_if_it_is_not_current(key_id):
    enrollment = completed_enrollment()
    unrendered = issued(enrollment, render=False)
    assert not unrendered.pdf
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    assert certificate.pk == unrendered.pk and certificate.pdf and certificate.credential
    again = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    assert again.rendered_at == certificate.rendered_at
    assert CertificateEvent.objects.filter(certificate=certificate, kind=CertificateEvent.Kind.RENDERED).count() == 1


def _reads_of(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and f'"{table}"' in q["sql"]]


@pytest.mark.parametrize("render_later", [False, True], ids=["issue-and-render", "render-task"])
def test_issuing_and_rendering_read_the_enrollment_and_its_organizations_once(key_id, render_later):
    """The branding, the PDF and the credential use what the locking query loaded: no second read."""
    enrollment = completed_enrollment()
    if render_later:
        certificate = issued(enrollment, render=False)
        with CaptureQueriesContext(connection) as queries:
            certificate_services.certificate_render(certificate_id=certificate.pk)
    else:
        with CaptureQueriesContext(connection) as queries:
            certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)
    for table in ("lms_organization", "courses_enrollment", "lms_user", "courses_course"):
        assert len(_reads_of(queries.captured_queries, table)) <= 1, (table, _reads_of(queries.captured_queries, table))
    assert Certificate.objects.get(enrollment=enrollment).credential is not None
