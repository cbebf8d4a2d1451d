"""The certificate PDF, read back with real tools: pypdf for text and page size, pdfium + zxing for the QR."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from pypdf import PdfReader

from courses.certificates import services as certificate_services
from courses.certificates.pdf import CertificateContent, render_certificate_pdf
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course, pdf_text

pytestmark = pytest.mark.django_db

NAME = "Zoë Ñúñez-Łukasiewicz"
TITLE = "Empathy at the Help Desk: Listening First"


@pytest.fixture
def certificate(org):
    course = one_step_course(title=TITLE, hours_credited=Decimal("2.5"), organization=org)
    enrollment = completed_enrollment(course=course, organization=org, first_name="Zoë",
                                      last_name="Ñúñez-Łukasiewicz")
    return issued(enrollment)


def _pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_text_has_name_title_date_hours_issuer_and_code(certificate, org):
    text = pdf_text(_pdf(certificate))
    assert certificate.learner_name == NAME
    assert NAME in text
    assert TITLE in text
    assert certificate.issued_at.strftime("%B %d, %Y") in text
    assert "2.5 hours of training" in text
    assert f"Issued by {org.name}" in text
    assert certificate.code in text
    assert certificate_services.verify_url(certificate.code) in text
    assert "Final score" not in text  # show_score is off by default


def test_page_is_a4_landscape(certificate):
    reader = PdfReader(certificate.pdf.open("rb"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 842) <= 1
    assert abs(float(box.height) - 595) <= 1


def test_qr_code_decodes_to_the_verify_url(certificate):
    document = pypdfium2.PdfDocument(_pdf(certificate))
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    codes = [result for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]
    assert [result.text for result in codes] == [f"{settings.SITE_URL}/verify/{certificate.code}/"]


def test_expiry_and_score_are_printed_when_set():
    course = one_step_course(validity_months=24)
    enrollment = completed_enrollment(course=course)
    certificate = issued(enrollment, render=False)
    certificate.__class__.objects.filter(pk=certificate.pk).update(show_score=True)
    certificate = certificate_services.certificate_render(certificate_id=certificate.pk)
    text = pdf_text(_pdf(certificate))
    assert f"Valid until {certificate.expires_at.strftime('%B %d, %Y')}" in text
    assert "Final score: 100" in text


def test_portuguese_labels():
    content = CertificateContent(
        learner_name="Conceição Araújo", course_title="Empatia no atendimento", language="pt-BR",
        issuer_name="Loja Exemplo", issued_at=datetime(2027, 5, 4, 12, 0),
        hours_credited=Decimal("4"), code="abcDEF123_-xyz789012", verify_url="http://example.test/verify/x/",
    )
    text = pdf_text(render_certificate_pdf(content))
    for fragment in ("Certificado de Conclusão", "Conceição Araújo", "Empatia no atendimento", "Emitido em 04/05/2027",
                     "4 horas de formação", "abcDEF123_-xyz789012"):
        assert fragment in text


def test_the_text_layer_rides_in_the_regular_font_one_subset_per_font():
    """The invisible layer over the drawn name uses the regular labels' DejaVu Sans: the file embeds two font
    subsets, not three, and the name in a script DejaVu Sans lacks still reads back as text."""
    content = CertificateContent(
        learner_name="Ana 山田", course_title="Listening First", language="en", issuer_name="Loja Exemplo",
        issued_at=datetime(2027, 5, 4, 12, 0), hours_credited=Decimal("4"), code="abcDEF123_-xyz789012",
        verify_url="http://example.test/verify/x/")
    data = render_certificate_pdf(content)
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    names = sorted(str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values())
    assert names == ["DejaVuSans", "DejaVuSans-Bold"]
    assert "Ana 山田" in pdf_text(data)
