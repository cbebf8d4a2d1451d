"""What a credential's URLs answer to anyone: the Achievement and the issuer Profile as JSON(-LD) for
software and as pages (site layout, English and Portuguese) for browsers, 404 for unknown ids; and the
verify page never says "valid until" about a revoked or expired certificate."""
from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from courses.certificates import open_badges
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.helpers import assert_error, page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_verify_padding")]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def certificate(key_id) -> Certificate:
    course = one_step_course(title="Listening Without Judging", hours_credited=4, validity_months=12)
    return issued(completed_enrollment(course=course, first_name="Zoë", last_name="Ñúñez",
                                       email="private@example.com"))


def path_of(url: str) -> str:
    return urlsplit(url).path


def achievement_path(certificate: Certificate) -> str:
    return path_of(certificate.credential["credentialSubject"]["achievement"]["id"])


def test_the_achievement_id_resolves_anonymously_to_json(certificate):
    response = Client().get(achievement_path(certificate), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "Accept" in response["Vary"]
    document = json.loads(response.content)
    embedded = certificate.credential["credentialSubject"]["achievement"]
    assert document["id"] == embedded["id"]
    assert document["type"] == ["Achievement"] and document["name"] == "Listening Without Judging"
    assert document["criteria"] == embedded["criteria"] and document["creditsAvailable"] == 4
    text = response.content.decode()
    assert "Ñúñez" not in text and "private@example.com" not in text and certificate.code not in text


def test_the_achievement_defaults_to_json_ld(certificate):
    response = Client().get(achievement_path(certificate))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert json.loads(response.content)["@context"][0] == "https://www.w3.org/ns/credentials/v2"


@pytest.mark.parametrize(("language", "phrase"), [
    ("en", "what a certificate of this course attests"),
    ("pt-BR", "o que um certificado deste curso atesta"),
])
def test_the_achievement_is_a_page_for_browsers(certificate, language, phrase):
    response = Client().get(achievement_path(certificate), HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    text = page_text(response)
    assert "Empathy LMS" in text and "Listening Without Judging" in text and phrase in text
    assert "Ñúñez" not in text and "private@example.com" not in text


def test_unknown_achievements_are_404_as_json_and_as_a_page(certificate):
    assert_error(Client().get("/api/v1/credentials/achievements/no-such-course/", HTTP_ACCEPT="application/json"),
                 404, "achievement_not_found")
    page = Client().get("/api/v1/credentials/achievements/no-such-course/", HTTP_ACCEPT=BROWSER)
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    assert "Nothing is published at this address." in page_text(page)


def test_a_course_that_issued_no_certificate_has_no_public_achievement(certificate):
    quiet = one_step_course(title="Internal Draft")
    assert_error(Client().get(f"/api/v1/credentials/achievements/{quiet.slug}/"), 404, "achievement_not_found")


@pytest.mark.parametrize(("language", "phrase"), [
    ("en", "issues course certificates as signed Open Badges 3.0 credentials"),
    ("pt-BR", "emite os certificados dos cursos como credenciais Open Badges 3.0 assinadas"),
])
def test_the_issuer_profile_is_a_page_for_browsers(key_id, language, phrase):
    response = Client().get("/api/v1/credentials/issuer.json", HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    text = page_text(response)
    assert phrase in text and key_id in text and "Empathy LMS" in text


def test_the_issuer_profile_is_json_for_software(key_id):
    response = Client().get("/api/v1/credentials/issuer.json", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["id"] == open_badges.issuer_id()


def test_the_issuer_profile_page_is_a_404_page_before_any_key_exists():
    response = Client().get("/api/v1/credentials/issuer.json", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- the verify page ---------------------------------------------------------------------------------

def test_a_revoked_certificate_is_not_said_to_be_valid_until_anything(certificate):
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Issued by mistake")
    text = page_text(Client().get(f"/verify/{certificate.code}/"))
    assert "Revoked" in text and "Revoked on" in text
    assert "Valid until" not in text and "Expired on" not in text


def test_an_expired_certificate_says_when_it_expired_not_until_when_it_is_valid(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(days=1))
    text = page_text(Client().get(f"/verify/{certificate.code}/"))
    assert "Expired on" in text and "Valid until" not in text


def test_a_valid_certificate_says_until_when(certificate):
    text = page_text(Client().get(f"/verify/{certificate.code}/"))
    assert "Valid until" in text and "Expired on" not in text and "Revoked on" not in text
