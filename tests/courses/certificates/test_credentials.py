"""Every certificate is a signed Open Badges 3.0 credential: built on render, published at
credential.json, checked by the verifier (API and command), revocation in the status list."""
from __future__ import annotations

import copy
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from courses.certificates import open_badges as certificate_credentials
from courses.certificates import services as certificate_services
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.credentials.data_integrity import verify
from courses.certificates.credentials.status_list import is_revoked
from courses.certificates.models import Certificate
from courses.certificates.reconcilers import certificates_unrendered
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.courses.certificates.credentials.test_achievement import validator
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_verify_padding")]


@pytest.fixture
def certificate(key_id) -> Certificate:
    course = one_step_course(title="Calm Voices", hours_credited=3)
    return issued(completed_enrollment(course=course, first_name="Zoë", last_name="Ñúñez"))


def credential_of(code: str) -> dict:
    response = APIClient().get(f"/api/v1/certificates/{code}/credential.json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def checks(document) -> dict:
    return certificate_credentials.credential_verify(document).as_dict()["checks"]


ALL_OK = {"issuer": "ok", "signature": "ok", "expiry": "ok", "revocation": "ok"}


# --- building ----------------------------------------------------------------------------------------

def test_render_signs_the_certificate_with_the_active_key(certificate, key_id):
    credential = credential_of(certificate.code)
    assert credential == certificate.credential
    assert credential["id"] == certificate_credentials.credential_url(certificate.code)
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Zoë Ñúñez"
    assert subject["achievement"]["name"] == "Calm Voices"
    assert subject["achievement"]["creditsAvailable"] == 3
    assert credential["issuer"]["id"] == certificate_credentials.issuer_id()
    assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "validUntil" not in credential
    assert credential["proof"][0]["verificationMethod"] == f"{certificate_credentials.issuer_id()}#{key_id}"
    number, index = certificate_credentials.status_position(certificate.pk)
    assert credential["credentialStatus"]["statusListIndex"] == str(index)
    assert credential["credentialStatus"]["statusListCredential"].endswith(f"/credentials/status/{number}.json")


def test_credential_validates_against_the_ob30_schema(certificate):
    validator("ob_v3p0_achievementcredential_schema.json").validate(certificate.credential)


def test_issuer_profile_validates_against_the_ob30_profile_schema(key_id):
    response = APIClient().get("/api/v1/credentials/issuer.json")
    assert response.status_code == 200
    profile = json.loads(response.content)
    validator("ob_v3p0_profile_schema.json").validate(profile)
    assert profile["id"] == certificate_credentials.issuer_id()
    assert [method["publicKeyMultibase"] for method in profile["verificationMethod"]] == [key_id]


def test_expiring_course_gives_valid_until(key_id):
    certificate = issued(completed_enrollment(course=one_step_course(validity_months=12)))
    assert certificate.credential["validUntil"] == certificate.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert checks(certificate.credential) == ALL_OK


def test_without_a_key_certificates_are_issued_unsigned_and_signed_once_a_key_exists():
    certificate = issued(completed_enrollment())
    assert certificate.pdf and certificate.credential is None
    assert_error(APIClient().get(f"/api/v1/certificates/{certificate.code}/credential.json"), 404,
                 "credential_pending")
    assert_error(APIClient().get("/api/v1/credentials/issuer.json"), 404, "credentials_disabled")

    Certificate.objects.filter(pk=certificate.pk).update(issued_at=timezone.now() - timedelta(hours=1))
    assert certificates_unrendered() == 0  # nothing to sign with: not pending
    credential_keys.key_generate()
    assert certificates_unrendered() == 1  # now it is pending: the reconciler re-enqueues it
    certificate = certificate_services.certificate_render(certificate_id=certificate.pk)  # what the task runs
    assert checks(certificate.credential) == ALL_OK


# --- verifying ---------------------------------------------------------------------------------------

def test_the_credential_verifies(certificate):
    result = certificate_credentials.credential_verify(certificate.credential)
    assert result.verified
    assert result.as_dict() == {"verified": True, "checks": ALL_OK, "errors": [], "certificate": certificate.code}


@pytest.mark.parametrize("path", [
    ("credentialSubject", "identifier", 0, "identityHash"),
    ("credentialSubject", "achievement", "name"),
    ("validFrom",),
    ("name",),
])
def test_a_one_byte_change_breaks_the_signature(certificate, path):
    tampered = copy.deepcopy(certificate.credential)
    holder = tampered
    for step in path[:-1]:
        holder = holder[step]
    value = holder[path[-1]]
    holder[path[-1]] = value[:-1] + ("1" if value[-1] != "1" else "2")  # one character, same length
    assert checks(tampered)["signature"] == "invalid_signature"
    assert not certificate_credentials.credential_verify(tampered).verified


def test_a_changed_proof_byte_fails(certificate):
    tampered = copy.deepcopy(certificate.credential)
    value = tampered["proof"][0]["proofValue"]
    tampered["proof"][0]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    assert checks(tampered)["signature"] in {"invalid_signature", "invalid_proof"}


def test_revocation_fails_verification_and_sets_the_status_bit(certificate):
    credential = certificate.credential
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Issued by mistake")
    result = certificate_credentials.credential_verify(credential)
    assert not result.verified
    assert result.as_dict()["checks"] == {**ALL_OK, "revocation": "revoked"}

    number, index = certificate_credentials.status_position(certificate.pk)
    response = APIClient().get(f"/api/v1/credentials/status/{number}.json")
    assert response.status_code == 200
    status_list = json.loads(response.content)
    assert status_list["id"] == credential["credentialStatus"]["statusListCredential"]
    assert is_revoked(status_list["credentialSubject"]["encodedList"], index)
    assert not is_revoked(status_list["credentialSubject"]["encodedList"], index + 1)
    # The list itself is signed by the issuer.
    signed = verify(status_list, resolve_key=lambda method: credential_keys.resolve_key(
        method, controller=certificate_credentials.issuer_id()))
    assert signed.verified, signed.message


def test_status_list_of_unrevoked_certificates_is_all_clear(certificate):
    _, index = certificate_credentials.status_position(certificate.pk)
    status_list = json.loads(APIClient().get("/api/v1/credentials/status/0.json").content)
    assert not is_revoked(status_list["credentialSubject"]["encodedList"], index)


def test_status_list_beyond_the_last_certificate_is_a_404(certificate):
    assert_error(APIClient().get("/api/v1/credentials/status/7.json"), 404, "status_list_not_found")


def test_expiry_fails_verification(key_id):
    enrollment = completed_enrollment(course=one_step_course(validity_months=1))
    certificate = issued(enrollment)
    assert checks(certificate.credential) == ALL_OK
    later = timezone.now() + timedelta(days=40)
    result = certificate_credentials.credential_verify(certificate.credential, now=later)
    assert result.as_dict()["checks"] == {**ALL_OK, "expiry": "expired"}


def test_a_credential_naming_another_issuer_fails(certificate):
    forged = copy.deepcopy(certificate.credential)
    forged["issuer"]["id"] = "https://elsewhere.example/issuer"
    assert checks(forged) == {"issuer": "unknown_issuer", "signature": "skipped", "expiry": "skipped",
                              "revocation": "skipped"}


def test_a_status_entry_moved_to_another_certificate_fails(certificate):
    """Pointing a revoked credential at another certificate's clear bit breaks the signature."""
    other = issued(completed_enrollment())
    borrowed = copy.deepcopy(certificate.credential)
    borrowed["credentialStatus"] = other.credential["credentialStatus"]
    assert checks(borrowed)["signature"] == "invalid_signature"


def test_rotation_keeps_older_credentials_verifiable(certificate, key_id):
    old_credential = certificate.credential
    new_key = credential_keys.key_generate()
    assert checks(old_credential) == ALL_OK
    second = issued(completed_enrollment())
    assert second.credential["proof"][0]["verificationMethod"].endswith(f"#{new_key}")
    assert checks(second.credential) == ALL_OK
    profile = json.loads(APIClient().get("/api/v1/credentials/issuer.json").content)
    assert {method["publicKeyMultibase"] for method in profile["verificationMethod"]} == {key_id, new_key}


def test_a_deleted_key_no_longer_verifies(certificate, key_id):
    (credential_keys.keys_dir() / f"{key_id}.pem").unlink()
    assert checks(certificate.credential)["signature"] == "key_not_resolved"


def test_reissue_signs_the_new_name_with_the_same_code(certificate):
    user = certificate.enrollment.user
    user.first_name = "Zoé"
    user.save()
    certificate_services.certificate_reissue(certificate=certificate, actor=None, reason="Name corrected")
    certificate.refresh_from_db()
    credential = credential_of(certificate.code)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Zoé Ñúñez"
    assert credential["id"].endswith(f"/certificates/{certificate.code}/credential.json")
    assert checks(credential) == ALL_OK


# --- the public API --------------------------------------------------------------------------------

UNKNOWN = "AAAAAAAAAAAAAAAAAAAA"


def test_credential_json_is_public_and_unknown_codes_are_404(certificate):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(f"/api/v1/certificates/{certificate.code}/credential.json").status_code == 200
    assert_error(APIClient().get(f"/api/v1/certificates/{UNKNOWN}/credential.json"), 404, "certificate_not_found")
    assert_error(APIClient().get(f"/api/v1/certificates/{'x' * 80}/credential.json"), 404, "certificate_not_found")


def test_credential_json_is_strictly_throttled(certificate, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "strict": "2/min"})
    client = APIClient()
    assert [client.get(f"/api/v1/certificates/{code}/credential.json").status_code
            for code in (certificate.code, UNKNOWN)] == [200, 404]
    assert_error(client.get(f"/api/v1/certificates/{certificate.code}/credential.json"), 429, "throttled")


def test_verify_endpoint_reports_each_check(certificate):
    client = APIClient()
    response = client.post("/api/v1/credentials/verify/", certificate.credential, format="json")
    assert response.status_code == 200
    assert response.json() == {"verified": True, "checks": ALL_OK, "errors": [], "certificate": certificate.code}

    tampered = copy.deepcopy(certificate.credential)
    tampered["name"] += "!"
    body = client.post("/api/v1/credentials/verify/", tampered, format="json").json()
    assert body["verified"] is False and body["checks"]["signature"] == "invalid_signature"
    assert body["errors"]

    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="x")
    body = client.post("/api/v1/credentials/verify/", certificate.credential, format="json").json()
    assert body["verified"] is False and body["checks"]["revocation"] == "revoked"


@pytest.mark.parametrize(("payload", "status"), [([1, 2], 400), ("credential", 400), (7, 400), ({}, 422)])
def test_verify_endpoint_rejects_a_body_that_is_not_a_credential_object(payload, status):
    response = APIClient().post("/api/v1/credentials/verify/", json.dumps(payload), content_type="application/json")
    assert_error(response, status, "invalid")


def test_verify_endpoint_wants_json():
    response = APIClient().post("/api/v1/credentials/verify/", {"a": "b"}, format="multipart")
    assert_error(response, 415)


def test_verify_endpoint_on_garbage_that_looks_like_a_credential(key_id):
    garbage = {"@context": ["https://example.invalid/context"], "issuer": certificate_credentials.issuer_id(),
               "proof": [{"type": "DataIntegrityProof"}]}
    body = APIClient().post("/api/v1/credentials/verify/", garbage, format="json").json()
    assert body["verified"] is False and body["checks"]["signature"] != "ok"


# --- the command ---------------------------------------------------------------------------------------

def test_verify_credential_command(certificate, tmp_path):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(certificate.credential), encoding="utf-8")
    out = io.StringIO()
    call_command("verify_credential", str(path), stdout=out, stderr=io.StringIO())
    assert "signature   ok" in out.getvalue() and "revocation  ok" in out.getvalue()

    out = io.StringIO()
    call_command("verify_credential", "--code", certificate.code, "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["verified"] is True

    tampered = copy.deepcopy(certificate.credential)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(CommandError, match="does NOT verify") as failure:
        call_command("verify_credential", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert failure.value.returncode == 1


@pytest.mark.parametrize(("args", "message"), [
    ([], "Give a file"),
    (["/nonexistent/credential.json"], "Cannot read"),
    (["--code", UNKNOWN], "No certificate"),
])
def test_verify_credential_command_errors(args, message, key_id):
    with pytest.raises(CommandError, match=message):
        call_command("verify_credential", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_verify_credential_command_refuses_non_json(tmp_path, key_id):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("verify_credential", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_credential_json_is_one_query_found_or_not(certificate, django_assert_num_queries):
    for code in (certificate.code, UNKNOWN):
        with django_assert_num_queries(1):
            APIClient().get(f"/api/v1/certificates/{code}/credential.json")


def test_a_certificate_renewed_after_a_correction_leaves_its_old_credential_revoked(certificate):
    """A corrected result revoked the certificate; the learner then completed properly, so the row is renewed
    under a new code. The old signed credential still fails on revocation (its bit stays set), the old code's
    credential is still served and verifies as revoked, and the new credential is valid on a bit of its own."""
    old_code, old_credential = certificate.code, certificate.credential
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Attendance corrected")
    enrollment = certificate.enrollment
    enrollment.completed_at = timezone.now() + timedelta(seconds=1)
    enrollment.save(update_fields=["completed_at"])

    renewed = certificate_services.certificate_issue(enrollment_id=enrollment.pk, render=True)

    assert renewed.pk == certificate.pk and renewed.code != old_code and renewed.status == "valid"
    result = certificate_credentials.credential_verify(old_credential).as_dict()
    assert result["checks"]["revocation"] == "revoked", result
    assert credential_of(old_code) == old_credential
    assert checks(renewed.credential) == ALL_OK
    old_number, old_index = certificate_credentials.status_position(certificate.pk)
    new_number, new_index = certificate_credentials.status_position(renewed.status_index)
    assert (new_number, new_index) != (old_number, old_index)
    assert renewed.credential["credentialStatus"]["statusListIndex"] == str(new_index)
    answer = APIClient().get(f"/api/v1/verify/{old_code}/").json()
    assert answer["status"] == "revoked" and answer["learner_name"] == "Zoë Ñúñez"
