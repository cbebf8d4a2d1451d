"""The organization's logo and signature on certificates: the PDF draws them (read back with pypdf: its image
XObjects and text), the verify page shows the logo, and a certificate without them stays as it was."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from courses.certificates import services as certificate_services
from lms import services as lms_services
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course, pdf_text

pytestmark = pytest.mark.django_db


def drawn(width: int, height: int, colour, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    image.paste(colour, (width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pdf_images(data: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of every picture the PDF's page draws."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    return sorted((image.image.width, image.image.height) for image in page.images)


def read(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def course(org):
    return one_step_course(title="Listening first", hours_credited=Decimal("2"), organization=org)


def test_without_logo_or_signature_the_pdf_has_no_picture(course, org):
    text_before = pdf_text(read(issued(completed_enrollment(course=course, organization=org))))
    assert "Listening first" in text_before
    certificate = issued(completed_enrollment(course=course, organization=org))
    assert pdf_images(read(certificate)) == []


def test_the_pdf_draws_the_logo_and_the_signature_above_the_signer(course, org):
    lms_services.organization_branding_set(organization=org, logo=drawn(600, 200, (30, 90, 160, 255)),
                                           signature=drawn(400, 120, (20, 20, 20, 255)),
                                           signer_name="Ana Souza", signer_title="Head of Customer Care")
    certificate = issued(completed_enrollment(course=course, organization=org))
    data = read(certificate)
    assert pdf_images(data) == [(400, 120), (600, 200)]
    text = pdf_text(data)
    assert "Ana Souza" in text and "Head of Customer Care" in text and "Listening first" in text


def test_a_new_logo_is_drawn_when_the_certificate_is_drawn_again(course, org):
    certificate = issued(completed_enrollment(course=course, organization=org))
    lms_services.organization_branding_set(organization=org, logo=drawn(300, 100, (200, 0, 0, 255)))
    certificate = certificate_services.certificate_render(certificate_id=certificate.pk, force=True)
    assert pdf_images(read(certificate)) == [(300, 100)]


def test_the_verify_page_shows_the_logo(course, org, no_verify_padding):
    lms_services.organization_branding_set(organization=org, logo=drawn(600, 200, (30, 90, 160, 255)))
    certificate = issued(completed_enrollment(course=course, organization=org))
    org.refresh_from_db()
    token = org.logo.name.rsplit("/", 1)[-1].removesuffix(".png")
    html = Client().get(f"/verify/{certificate.code}/").content.decode()
    assert f'src="/logos/{token}.png"' in html and f'alt="{org.name}"' in html
    logo = Client().get(f"/logos/{token}.png")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["Cache-Control"] == "public, max-age=86400"
    api = Client().get(f"/api/v1/verify/{certificate.code}/").json()
    assert api["issuer_logo_url"] == f"/logos/{token}.png"


def test_a_logo_address_that_names_no_logo_is_404(org):
    assert Client().get("/logos/" + "0" * 32 + ".png").status_code == 404
    assert Client().get("/logos/..%2F..%2Fsecrets.png").status_code == 404
