"""certificate_issue / render / send_issue_email / revoke / reissue: state before and after."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments.models import Enrollment
from courses.errors import CoursesError
from lms.errors import Conflict
from lms.models import User
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course, pdf_text

pytestmark = pytest.mark.django_db

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _events(certificate: Certificate, kind: str) -> int:
    return CertificateEvent.objects.filter(certificate=certificate, kind=kind).count()


# --- issuing ---------------------------------------------------------------------------------------

def test_issue_is_idempotent():
    enrollment = completed_enrollment()
    certificates = [certificate_services.certificate_issue(enrollment_id=enrollment.pk) for _ in range(5)]
    assert len({c.pk for c in certificates}) == 1
    assert len({c.code for c in certificates}) == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert _events(certificates[0], CertificateEvent.Kind.ISSUED) == 1


def test_issue_freezes_what_was_certified(org):
    course = one_step_course(title="Listening at the counter", hours_credited=3, organization=org)
    learner = people.member(org, user__first_name="Ana", user__last_name="Souza")
    certificate = issued(completed_enrollment(course=course, user=learner), render=False)
    assert (certificate.learner_name, certificate.course_title, certificate.issuer_name) == (
        "Ana Souza", "Listening at the counter", org.name)
    assert certificate.hours_credited == 3
    assert certificate.status == "valid" and certificate.effective_status == "valid"
    assert certificate.expires_at is None
    assert certificate.rendered_at is None and not certificate.pdf and certificate.emailed_at is None


@pytest.mark.parametrize("status", [Enrollment.Status.ACTIVE, Enrollment.Status.WITHDRAWN])
def test_no_certificate_for_an_enrollment_that_is_not_completed(status):
    from courses.enrollments import services

    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=one_step_course())
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
    assert certificate_services.certificate_issue(enrollment_id=enrollment.pk) is None
    assert not Certificate.objects.exists() and not CertificateEvent.objects.exists()


def test_no_certificate_for_an_unknown_enrollment():
    assert certificate_services.certificate_issue(enrollment_id=987654) is None
    assert not Certificate.objects.exists()


def _issue_at(monkeypatch, moment: datetime, validity_months: int) -> Certificate:
    enrollment = completed_enrollment(course=one_step_course(validity_months=validity_months))
    monkeypatch.setattr(certificate_services, "timezone", SimpleNamespace(now=lambda: moment))
    return certificate_services.certificate_issue(enrollment_id=enrollment.pk)


@pytest.mark.parametrize(("issued_at", "months", "expires_at"), [
    (datetime(2027, 3, 15, 9, 30, tzinfo=UTC), 12, datetime(2028, 3, 15, 9, 30, tzinfo=UTC)),
    (datetime(2027, 11, 5, 9, 30, tzinfo=UTC), 3, datetime(2028, 2, 5, 9, 30, tzinfo=UTC)),
    (datetime(2027, 1, 31, 9, 30, tzinfo=UTC), 1, datetime(2027, 2, 28, 9, 30, tzinfo=UTC)),
    (datetime(2028, 1, 31, 9, 30, tzinfo=UTC), 1, datetime(2028, 2, 29, 9, 30, tzinfo=UTC)),  # leap year
    (datetime(2027, 3, 31, 9, 30, tzinfo=UTC), 1, datetime(2027, 4, 30, 9, 30, tzinfo=UTC)),
    (datetime(2028, 2, 29, 9, 30, tzinfo=UTC), 12, datetime(2029, 2, 28, 9, 30, tzinfo=UTC)),
])
def test_expiry_is_issue_date_plus_validity_months(monkeypatch, issued_at, months, expires_at):
    certificate = _issue_at(monkeypatch, issued_at, months)
    certificate.refresh_from_db()
    assert certificate.issued_at == issued_at
    assert certificate.expires_at == expires_at


def test_codes_are_url_safe_with_at_least_80_random_bits_and_unique():
    codes = [issued(completed_enrollment(), render=False).code for _ in range(25)]
    codes += [certificate_services.new_certificate_code() for _ in range(5000)]
    for code in codes:
        assert URL_SAFE.match(code), code
        assert len(code) * 6 >= 80  # base64url: 6 bits a character
    assert certificate_services.CODE_BYTES * 8 >= 80
    assert len(set(codes)) == len(codes)
    assert Certificate.objects.values("code").distinct().count() == 25


# --- rendering -------------------------------------------------------------------------------------

def test_render_is_idempotent_and_force_rerenders_with_the_same_code():
    certificate = issued(completed_enrollment(), render=False)
    first = certificate_services.certificate_render(certificate_id=certificate.pk)
    assert first.pdf and first.rendered_at is not None
    assert first.pdf.name == f"certificates/{certificate.code}.pdf"
    first_pdf = first.pdf.read()
    assert first_pdf.startswith(b"%PDF")

    again = certificate_services.certificate_render(certificate_id=certificate.pk)
    assert again.rendered_at == first.rendered_at
    assert _events(certificate, CertificateEvent.Kind.RENDERED) == 1

    forced = certificate_services.certificate_render(certificate_id=certificate.pk, force=True)
    assert forced.code == certificate.code
    assert forced.pdf.name == first.pdf.name  # overwritten in place, no "_abc123" suffix
    assert forced.rendered_at >= first.rendered_at
    assert _events(certificate, CertificateEvent.Kind.RENDERED) == 2
    assert certificate.code in pdf_text(forced.pdf.read())


def test_render_of_a_missing_certificate_is_none():
    assert certificate_services.certificate_render(certificate_id=123456) is None


# --- the issue email -------------------------------------------------------------------------------

def test_email_is_sent_at_most_once(mailoutbox):
    certificate = issued(completed_enrollment(email="zoe@example.com", first_name="Zoë", last_name="Ñúñez"))
    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is True
    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is False
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zoe@example.com"]
    assert message.extra_headers["X-LMS-Certificate"] == certificate.code
    assert certificate_services.verify_url(certificate.code) in message.body
    assert "Zoë Ñúñez" in message.body
    assert "https://www.linkedin.com/profile/add?" in message.body
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    assert _events(certificate, CertificateEvent.Kind.EMAILED) == 1


def test_no_email_before_the_pdf_exists_nor_for_a_revoked_certificate(mailoutbox):
    unrendered = issued(completed_enrollment(), render=False)
    assert certificate_services.certificate_send_issue_email(certificate_id=unrendered.pk) is False
    revoked = issued(completed_enrollment())
    certificate_services.certificate_revoke(certificate=revoked, actor=None, reason="Plagiarism")
    assert certificate_services.certificate_send_issue_email(certificate_id=revoked.pk) is False
    assert mailoutbox == []
    assert Certificate.objects.filter(emailed_at__isnull=False).count() == 0


class FailingOnceBackend(BaseEmailBackend):
    """An SMTP server that refuses the first message and accepts the next ones."""

    failures_left = 1

    def send_messages(self, messages):
        if FailingOnceBackend.failures_left:
            FailingOnceBackend.failures_left -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failed_send_releases_the_claim(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnceBackend"
    FailingOnceBackend.failures_left = 1
    certificate = issued(completed_enrollment())
    with pytest.raises(ConnectionRefusedError):
        certificate_services.certificate_send_issue_email(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.emailed_at is None
    assert _events(certificate, CertificateEvent.Kind.EMAILED) == 0
    assert mailoutbox == []

    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is True
    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is False
    assert len(mailoutbox) == 1
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    assert _events(certificate, CertificateEvent.Kind.EMAILED) == 1


# --- revoke and reissue ----------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoking_needs_a_reason(reason):
    certificate = issued(completed_enrollment(), render=False)
    with pytest.raises(CoursesError) as caught:
        certificate_services.certificate_revoke(certificate=certificate, actor=None, reason=reason)
    assert caught.value.status_code == 422 and caught.value.code == "reason_required"
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.revoked_at is None
    assert _events(certificate, CertificateEvent.Kind.REVOKED) == 0


def test_revoke_records_who_when_why_and_a_second_revoke_conflicts():
    certificate = issued(completed_enrollment(), render=False)
    admin = people.UserFactory()
    certificate_services.certificate_revoke(certificate=certificate, actor=admin, reason="  Exam fraud ")
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.effective_status == "revoked"
    assert certificate.revoked_at is not None and certificate.revoked_by == admin
    assert certificate.revoked_reason == "Exam fraud"
    revoked_at = certificate.revoked_at

    with pytest.raises(Conflict) as caught:
        certificate_services.certificate_revoke(certificate=certificate, actor=admin, reason="again")
    assert caught.value.status_code == 409 and caught.value.code == "already_revoked"
    certificate.refresh_from_db()
    assert certificate.revoked_at == revoked_at and certificate.revoked_reason == "Exam fraud"
    event = CertificateEvent.objects.get(certificate=certificate, kind=CertificateEvent.Kind.REVOKED)
    assert event.actor == admin and event.detail == {"reason": "Exam fraud"}


def test_a_revoked_certificate_cannot_be_reissued_nor_issued_again():
    enrollment = completed_enrollment()
    certificate = issued(enrollment, render=False)
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Mistake")
    with pytest.raises(Conflict) as caught:
        certificate_services.certificate_reissue(certificate=certificate, actor=None, reason="please")
    assert caught.value.status_code == 409 and caught.value.code == "certificate_revoked"
    assert _events(certificate, CertificateEvent.Kind.REISSUED) == 0
    again = certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    assert again.pk == certificate.pk and again.status == "revoked"
    assert Certificate.objects.count() == 1


def test_reissue_after_a_name_change_keeps_the_code_and_regenerates_the_pdf():
    enrollment = completed_enrollment(first_name="Joao", last_name="Silva")
    certificate = issued(enrollment)
    code, old_pdf = certificate.code, certificate.pdf.read()
    assert "Joao Silva" in pdf_text(old_pdf)
    User.objects.filter(pk=enrollment.user_id).update(first_name="João", last_name="Silva-Ribeiro")
    editor = people.UserFactory()

    reissued = certificate_services.certificate_reissue(certificate=certificate, actor=editor, reason="Name change")
    assert reissued.code == code
    assert reissued.learner_name == "João Silva-Ribeiro"
    assert reissued.status == "valid" and reissued.issued_at == certificate.issued_at
    text = pdf_text(reissued.pdf.read())
    assert "João Silva-Ribeiro" in text and "Joao Silva" not in text
    assert code in text
    event = CertificateEvent.objects.get(certificate=certificate, kind=CertificateEvent.Kind.REISSUED)
    assert event.actor == editor
    assert event.detail["reason"] == "Name change"
    assert event.detail["before"]["learner_name"] == "Joao Silva"
    assert event.detail["after"]["learner_name"] == "João Silva-Ribeiro"
    assert _events(certificate, CertificateEvent.Kind.RENDERED) == 2
    assert Certificate.objects.count() == 1


# --- the bulk command ------------------------------------------------------------------------------

def test_bulk_command_issues_missing_certificates_once(capsys):
    from courses.enrollments import services

    course = one_step_course(slug="bulk-course")
    done = [completed_enrollment(course=course) for _ in range(3)]
    services.enrollment_create(user=people.UserFactory(), course=course)  # active: skipped
    issued(done[0])  # already has one

    call_command("certificates_issue", "bulk-course")
    first = capsys.readouterr().out
    assert "3 completed enrollments, 2 issued, 0 reissued, 1 unchanged" in first
    call_command("certificates_issue", "bulk-course")
    assert "3 completed enrollments, 0 issued, 0 reissued, 3 unchanged" in capsys.readouterr().out

    assert Certificate.objects.count() == 3
    assert set(Certificate.objects.values_list("enrollment_id", flat=True)) == {e.pk for e in done}
    assert CertificateEvent.objects.filter(kind=CertificateEvent.Kind.ISSUED).count() == 3
    assert CertificateEvent.objects.filter(kind=CertificateEvent.Kind.RENDERED).count() == 3
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()


def test_bulk_command_unknown_course():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No course with slug 'nope'"):
        call_command("certificates_issue", "nope")


def test_bulk_command_reissue_keeps_codes_and_skips_revoked(capsys):
    course = one_step_course(slug="bulk-reissue")
    enrollments = [completed_enrollment(course=course, first_name="Old", last_name=f"Name{n}") for n in range(3)]
    call_command("certificates_issue", "bulk-reissue")
    codes = dict(Certificate.objects.values_list("enrollment_id", "code"))
    certificate_services.certificate_revoke(certificate=Certificate.objects.get(enrollment=enrollments[2]),
                                            actor=None, reason="Fraud")
    User.objects.filter(pk__in=[e.user_id for e in enrollments]).update(first_name="New")
    capsys.readouterr()

    call_command("certificates_issue", "bulk-reissue", "--reissue", "--reason", "rebrand")
    assert "3 completed enrollments, 0 issued, 2 reissued, 1 unchanged" in capsys.readouterr().out
    assert dict(Certificate.objects.values_list("enrollment_id", "code")) == codes
    names = dict(Certificate.objects.values_list("enrollment_id", "learner_name"))
    assert names == {enrollments[0].pk: "New Name0", enrollments[1].pk: "New Name1", enrollments[2].pk: "Old Name2"}
    events = CertificateEvent.objects.filter(kind=CertificateEvent.Kind.REISSUED)
    assert events.count() == 2 and all(event.detail["reason"] == "rebrand" for event in events)


def test_codes_never_start_with_a_spreadsheet_formula_character():
    codes = {certificate_services.new_certificate_code() for _ in range(3000)}
    assert len(codes) == 3000
    assert all(len(code) == 20 and code[0].isalnum() for code in codes)
