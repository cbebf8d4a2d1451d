"""The certificate mail as the learner's client reads it: in their language, with links to the page where they see
and download it and to the public verify page, never to the API."""
from __future__ import annotations

import pytest

from courses.certificates import services as certificate_services
from courses.certificates.models import CertificateEvent
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.mail_helpers import TRICKY, assert_escaped, read_mail

ORGANIZATION = "Ana & Bia <Treinamentos>"
WORDS = {
    "en": ("Your certificate: ", "Your certificate is ready.", "See and download your certificate",
           "Verification code: "),
    "pt-BR": ("Seu certificado: ", "Seu certificado está pronto.", "Ver e baixar seu certificado",
              "Código de verificação: "),
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lms.example.test"


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_the_certificate_mail_links_to_the_learners_page_and_the_verify_page(db, mailoutbox, language):
    organization = people.OrganizationFactory(name=ORGANIZATION)
    course = one_step_course(title=TRICKY, organization=organization)
    enrollment = completed_enrollment(course=course, organization=organization, language=language)
    certificate = issued(enrollment)
    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is True
    assert certificate_services.certificate_send_issue_email(certificate_id=certificate.pk) is False  # once
    (message,) = mailoutbox
    mail = read_mail(message, organization=ORGANIZATION, external=("https://www.linkedin.com/",))
    subject, ready, button, code = WORDS[language]
    assert mail.subject == subject + TRICKY
    assert ready in mail.text and ready in mail.html and button in mail.html
    assert f"{code}{certificate.code}" in mail.text
    page = f"https://lms.example.test/my/certificates/{certificate.pk}/"  # the learner's page for it
    verify = f"https://lms.example.test/verify/{certificate.code}/"
    for link in (page, verify):
        assert link in mail.text and f'href="{link}"' in mail.html
    assert_escaped(mail)
    assert message.to == [enrollment.user.email]
    assert CertificateEvent.objects.filter(certificate=certificate, kind=CertificateEvent.Kind.EMAILED).count() == 1


def test_without_a_language_the_site_default_is_used(db, mailoutbox):
    enrollment = completed_enrollment(language="")
    certificate = issued(enrollment)
    certificate_services.certificate_send_issue_email(certificate_id=certificate.pk)
    mail = read_mail(mailoutbox[0], organization=certificate.issuer_name, external=("https://www.linkedin.com/",))
    assert mail.subject.startswith("Your certificate: ") and 'lang="en"' in mail.html
