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


def test_an_erased_learners_certificate_keeps_its_issuer_and_logo(org, no_verify_padding, settings, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    """A public catalog course taken through an organization: the organization issues the certificate. Erasure
    takes the enrollment out of the organization (HR's reports must forget the person); the certificate still
    verifies as issued by it, with its logo, because the issuer is recorded on the certificate."""
    from lms.privacy.services import erasure as erasure_services

    monkeypatch.setattr(erasure_services, "task_enqueue", lambda *args, **kwargs: None)
    monkeypatch.setattr("courses.hr_reports.erasure.task_enqueue", lambda *args, **kwargs: None)
    lms_services.organization_branding_set(organization=org, logo=drawn(600, 200, (30, 90, 160, 255)))
    public_course = one_step_course(title="Open to everyone", hours_credited=Decimal("1"))
    assert public_course.organization is None
    enrollment = completed_enrollment(course=public_course, organization=org)
    certificate = issued(enrollment)
    assert certificate.issuer_name == org.name
    org.refresh_from_db()
    logo = f"/logos/{org.logo.name.rsplit('/', 1)[-1]}"

    learner = enrollment.user
    learner.set_password("a long erasure passphrase")
    learner.save()
    erasure_services.erasure_request_self(user=learner)
    request = erasure_services.erasure_confirm_self(user=learner, password="a long erasure passphrase")
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_services.erasure_run(request_id=request.pk)
    enrollment.refresh_from_db()
    assert enrollment.organization_id is None  # what used to take the issuer with it

    api = Client().get(f"/api/v1/verify/{certificate.code}/").json()
    assert api["learner_erased"] is True
    assert api["issuer_name"] == org.name and api["issuer_logo_url"] == logo
    html = Client().get(f"/verify/{certificate.code}/").content.decode()
    assert f'src="{logo}"' in html and f'alt="{org.name}"' in html


def test_a_reissue_after_the_enrollment_left_its_organization_keeps_the_recorded_issuer(org):
    public_course = one_step_course(title="Open to everyone", hours_credited=Decimal("1"))
    enrollment = completed_enrollment(course=public_course, organization=org)
    certificate = issued(enrollment)
    type(enrollment).objects.filter(pk=enrollment.pk).update(organization=None)
    certificate = certificate_services.certificate_reissue(certificate=certificate, actor=None, reason="typo")
    assert certificate.issuer_id == org.pk and certificate.issuer_name == org.name
