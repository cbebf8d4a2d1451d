"""An organization's logo and certificate signature: the API (org admins change, HR reads), the checks every
uploaded picture passes (lms/images.py), the admin form, and the logo's public address."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lms.models import Organization
from tests import factories as people
from tests.courses.catalog.test_covers import GPS_IFD, picture, png_bomb
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def url(org) -> str:
    return f"/api/v1/organizations/{org.slug}/branding/"


def patch(client, org, **fields):
    body = {key: SimpleUploadedFile(f"{key}.png", value) if isinstance(value, bytes) else value
            for key, value in fields.items()}
    return client.patch(url(org), body, format="multipart")


def test_an_org_admin_sets_logo_signature_and_signer(client_for, org, media):
    admin = people.member(org, "org_admin")
    response = patch(client_for(admin), org, logo=picture(2400, 800, "PNG"), signature=picture(exif=True),
                     signer_name="  Ana   Souza ", signer_title="Head of Customer Care")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["logo_url"].startswith("/logos/") and body["has_certificate_signature"] is True
    assert (body["certificate_signer_name"], body["certificate_signer_title"]) == ("Ana Souza",
                                                                                   "Head of Customer Care")
    org.refresh_from_db()
    with Image.open(org.logo.path) as logo:
        assert logo.format == "PNG" and logo.size == (1200, 400)  # scaled into its box, shape kept
    raw = Path(org.certificate_signature.path).read_bytes()
    assert b"Exif" not in raw and b"Camera maker" not in raw
    with Image.open(org.certificate_signature.path) as signature:
        assert not signature.getexif().get_ifd(GPS_IFD)
    assert client_for(people.member(org, "hr")).get(url(org)).json() == body


def test_a_new_logo_gets_a_new_address_and_the_old_file_goes(client_for, org, media,
                                                             django_capture_on_commit_callbacks):
    client = client_for(people.member(org, "org_admin"))
    first = patch(client, org, logo=picture()).json()["logo_url"]
    with django_capture_on_commit_callbacks(execute=True):
        second = patch(client, org, logo=picture(800, 400)).json()["logo_url"]
    assert first != second and len(stored(media)) == 1
    assert Client().get(first).status_code == 404 and Client().get(second).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(client, org, remove_logo="true").json()["logo_url"] is None
    assert stored(media) == []


@pytest.mark.parametrize(("data", "code"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "invalid_image"),
    (b"%PDF-1.4 not a picture", "invalid_image"),
    (png_bomb(), "image_too_large"),
], ids=["svg", "pdf", "bomb"])
def test_refused_pictures_answer_422_and_change_nothing(client_for, org, media, data, code):
    error = assert_error(patch(client_for(people.member(org, "org_admin")), org, signature=data,
                               signer_name="Someone"), 422, code)
    assert "signature" in error["fields"]
    org.refresh_from_db()
    assert stored(media) == [] and not org.certificate_signature and org.certificate_signer_name == ""


def test_only_org_admins_change_it(client_for, org, other_org):
    assert_error(patch(client_for(people.member(org, "hr")), org, signer_name="x"), 403)
    assert_error(patch(client_for(people.member(org)), org, signer_name="x"), 404)
    assert_error(patch(client_for(people.member(other_org, "org_admin")), org, signer_name="x"), 404)
    assert_error(client_for(people.member(org, "instructor")).get(url(org)), 404)


def test_the_admin_form_uploads_through_the_service(org, media):
    client = Client()
    client.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    form = {"name": org.name, "slug": org.slug, "timezone": org.timezone, "default_language": "en",
            "certificate_signer_name": "Ana Souza", "certificate_signer_title": "",
            "logo_upload": SimpleUploadedFile("logo.jpg", picture(exif=True))}
    response = client.post(f"/admin/lms/organization/{org.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(pk=org.pk)
    assert org.logo and org.certificate_signer_name == "Ana Souza"
    assert b"Exif" not in Path(org.logo.path).read_bytes()
    form["logo_upload"] = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    response = client.post(f"/admin/lms/organization/{org.pk}/change/", form)
    assert response.status_code == 200 and "is not a JPEG, PNG or WebP picture" in response.content.decode()
    page = client.get(f"/admin/lms/organization/{org.pk}/change/").content.decode()
    assert f'src="/logos/{Path(org.logo.name).stem}.png"' in page


def test_an_unknown_or_malformed_logo_address_is_404(org):
    assert Client().get("/logos/" + "a" * 32 + ".png").status_code == 404
    assert Client().get("/logos/organizations%2Fsignatures%2Fx.png").status_code == 404


def test_a_decoded_picture_keeps_nothing_of_the_upload():
    from lms import images

    data = picture(exif=True)
    png, width, height = images.branding_prepare(data, max_bytes=10**7, max_width=600, max_height=200)
    with Image.open(io.BytesIO(png)) as result:
        assert result.size == (width, height) == (300, 200) and not result.getexif()
