"""Public verification: /api/v1/verify/{code}/ (JSON) and /verify/{code}/ (HTML)."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_verify_padding")]

PUBLIC_FIELDS = {"code", "status", "learner_name", "learner_erased", "course_title", "issuer_name", "issuer_logo_url",
                 "issued_at", "expires_at", "revoked_at", "hours_credited"}
UNKNOWN = "AAAAAAAAAAAAAAAAAAAA"


def api(code: str) -> str:
    return f"/api/v1/verify/{code}/"


def page(code: str) -> str:
    return f"/verify/{code}/"


@pytest.fixture
def certificate():
    course = one_step_course(title="Calm Voices", hours_credited=2)
    return issued(completed_enrollment(course=course, email="private@example.com", first_name="Zoë",
                                       last_name="Ñúñez"), render=False)


def _expire(certificate: Certificate) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(days=1))


def test_valid_certificate_shows_only_public_fields(certificate):
    response = APIClient().get(api(certificate.code))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert body["status"] == "valid"
    assert (body["code"], body["learner_name"], body["course_title"]) == (certificate.code, "Zoë Ñúñez", "Calm Voices")
    assert body["issuer_name"] == certificate.issuer_name
    assert body["expires_at"] is None and body["revoked_at"] is None
    assert body["hours_credited"] == "2.0"
    assert "private@example.com" not in response.content.decode()


def test_no_score_even_when_printed_on_the_certificate(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(show_score=True)
    body = APIClient().get(api(certificate.code)).json()
    assert set(body) == PUBLIC_FIELDS and "final_score" not in body


def test_revoked_certificate(certificate):
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Fraud, internal note")
    body = APIClient().get(api(certificate.code)).json()
    assert set(body) == PUBLIC_FIELDS
    assert body["status"] == "revoked" and body["revoked_at"]
    assert "Fraud" not in str(body)  # the reason is not public


def test_expired_certificate(certificate):
    _expire(certificate)
    body = APIClient().get(api(certificate.code)).json()
    assert body["status"] == "expired" and body["expires_at"]


def test_revoked_wins_over_expired(certificate):
    _expire(certificate)
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="x")
    assert APIClient().get(api(certificate.code)).json()["status"] == "revoked"


@pytest.mark.parametrize("code", [UNKNOWN, "x", "a" * 65, "a" * 300])
def test_unknown_code_is_a_404_with_the_error_shape(certificate, code):
    assert_error(APIClient().get(api(code)), 404, "certificate_not_found")


def test_verification_is_public_even_with_bad_credentials(certificate):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(api(certificate.code)).status_code == 200


# --- the HTML page ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "label"), [(None, "Valid"), ("revoke", "Revoked"), ("expire", "Expired")])
def test_page_shows_the_status(certificate, change, label):
    if change == "revoke":
        certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="x")
    elif change == "expire":
        _expire(certificate)
    response = Client().get(page(certificate.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zoë Ñúñez" in html and "Calm Voices" in html and certificate.code in html
    assert "private@example.com" not in html
    assert response["X-Robots-Tag"] == "noindex" and response["Cache-Control"] == "no-store"
    others = {"Valid", "Revoked", "Expired"} - {label}
    badge = html.split('role="status">', 1)[1].split("</span>", 1)[0]
    assert label in badge and not any(other in badge for other in others)


@pytest.mark.parametrize(("language", "shown"), [("en", "Dec. 5, 2026"), ("pt-BR", "5 de dezembro de 2026")])
def test_page_shows_dates_in_the_readers_language(certificate, language, shown):
    issued_at = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=issued_at,
                                                         expires_at=issued_at + timedelta(days=365))
    html = Client().get(page(certificate.code), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<time datetime="2026-12-05T12:00:00Z">{shown}</time>' in html
    assert "2027-12-05T12:00:00Z" in html  # the valid-until date, machine-readable beside the words
    assert ">2026-12-05<" not in html


def test_page_for_an_unknown_code_is_a_404_page(certificate):
    response = Client().get(page(UNKNOWN))
    assert response.status_code == 404
    html = response.content.decode()
    assert "No certificate has the code" in html and UNKNOWN in html
    assert certificate.learner_name not in html


def test_page_escapes_the_code():
    response = Client().get(page("<script>alert(1)</script>"))
    assert response.status_code == 404
    assert "<script>alert(1)</script>" not in response.content.decode()


# --- throttling ------------------------------------------------------------------------------------

@pytest.fixture
def strict_3_per_minute(monkeypatch):
    """DRF copies the rates onto the throttle class when it is imported, so patch there."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**SimpleRateThrottle.THROTTLE_RATES, "strict": "3/min"})


def test_json_verify_is_strictly_throttled(certificate, strict_3_per_minute):
    client = APIClient()
    assert [client.get(api(code)).status_code for code in (certificate.code, UNKNOWN, certificate.code)] == [
        200, 404, 200]
    response = client.get(api(certificate.code))
    error = assert_error(response, 429, "throttled")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 61
    assert f"{retry_after} seconds" in error["message"]
    assert APIClient(REMOTE_ADDR="10.9.9.9").get(api(certificate.code)).status_code == 200  # per address


def test_html_verify_is_strictly_throttled(certificate, strict_3_per_minute):
    client = Client()
    assert [client.get(page(code)).status_code for code in (certificate.code, UNKNOWN, certificate.code)] == [
        200, 404, 200]
    response = client.get(page(certificate.code))
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 61
    html = response.content.decode()
    assert f"try again in {retry_after} seconds" in html
    assert certificate.learner_name not in html
    assert Client(REMOTE_ADDR="10.9.9.9").get(page(certificate.code)).status_code == 200


# --- unknown and known codes do the same work --------------------------------------------------------

def test_json_known_and_unknown_codes_run_the_same_queries(certificate, django_assert_num_queries):
    client = APIClient()
    with django_assert_num_queries(1):
        assert client.get(api(certificate.code)).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(api(UNKNOWN)).status_code == 404


def test_html_known_and_unknown_codes_run_the_same_queries(certificate, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(1):
        assert client.get(page(certificate.code)).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(page(UNKNOWN)).status_code == 404


def test_verification_pads_known_and_unknown_codes_to_the_same_minimum(certificate, settings, monkeypatch):
    """The padding is computed, not timed: both paths ask to sleep up to VERIFY_MIN_SECONDS."""
    from courses.certificates import verification as certificate_api

    settings.VERIFY_MIN_SECONDS = 5.0
    slept: list[float] = []
    monkeypatch.setattr(certificate_api, "time", SimpleNamespace(monotonic=time.monotonic, sleep=slept.append))
    assert certificate_api.verification_payload(certificate.code)["code"] == certificate.code
    assert certificate_api.verification_payload(UNKNOWN) is None
    assert len(slept) == 2 and all(4.0 < seconds <= 5.0 for seconds in slept)
