"""Our Open Badges 3.0 credentials checked by software nobody here wrote: Digital Bazaar's VC stack
(@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite, vc-bitstring-status-list, pinned in
tests/outside/vc-verifier/), in JSON-LD safe mode, offline: its document loader serves only our pinned
contexts and the documents our API publishes (issuer profile, status lists).

Credentials are issued through our services; for every case (issued, revoked, tampered in several
fields, expired, signed by an unknown key) Digital Bazaar's verdict and ours (the public
/api/v1/credentials/verify/) must agree.

The OB 3.0 JSON schema is in no package of a registry reachable here (npm, PyPI), so the structure it
requires is checked from our own reading of it (``ob3_structure_problems``)."""
from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from rest_framework.test import APIClient

from courses.certificates import open_badges
from courses.certificates import services as certificate_services
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.credentials.data_integrity import sign
from courses.certificates.credentials.loader import CONTEXTS_DIR, LOCAL_CONTEXTS
from courses.certificates.erasure import certificates_erase
from courses.certificates.models import Certificate
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_verify_padding")]

VERIFIER = Path(__file__).resolve().parents[2] / "outside" / "vc-verifier"
NODE = shutil.which("node")

if NODE is None or shutil.which("npm") is None:
    pytest.skip("node/npm are not installed (.ci/apt-packages.txt lists nodejs)", allow_module_level=True)


@pytest.fixture(autouse=True)
def _installed():
    assert (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").is_dir(), (
        f"run `make install-dev` (npm ci in {VERIFIER}) first")


@pytest.fixture
def certificate(key_id) -> Certificate:
    course = one_step_course(title="Listening Without Judging", hours_credited=4)
    return issued(completed_enrollment(course=course, first_name="Zoë", last_name="Ñúñez",
                                       email="Zoe.Nunez@example.com"))


def published(path: str) -> dict:
    response = APIClient().get(path, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def outside_verdict(credential: dict, tmp_path: Path) -> dict:
    """Digital Bazaar's verdict on ``credential``, with what our API publishes right now."""
    documents = {open_badges.issuer_id(): published("/api/v1/credentials/issuer.json")}
    for number in range(open_badges.status_position(Certificate.objects.order_by("-pk").first().pk)[0] + 1):
        documents[open_badges.status_list_url(number)] = published(f"/api/v1/credentials/status/{number}.json")
    bundle = {"credential": credential, "documents": documents,
              "contexts": {url: str(CONTEXTS_DIR / name) for url, name in LOCAL_CONTEXTS.items()}}
    path = tmp_path / f"bundle-{len(list(tmp_path.glob('bundle-*')))}.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    run = subprocess.run([NODE, "verify.mjs", str(path)], cwd=VERIFIER, capture_output=True, text=True,  # noqa: S603
                         timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def our_verdict(credential: dict) -> dict:
    response = APIClient().post("/api/v1/credentials/verify/", credential, format="json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def both(credential: dict, tmp_path: Path) -> tuple[dict, dict]:
    outside, ours = outside_verdict(credential, tmp_path), our_verdict(credential)
    assert outside["verified"] == ours["verified"], (outside, ours)
    return outside, ours


def ob3_structure_problems(credential: dict) -> list[str]:
    """What the OB 3.0 AchievementCredential schema requires, from our reading of it: the VC 2.0 and
    OB contexts first; types; an id; an issuer Profile with id and type; validFrom; a subject of
    type AchievementSubject with an Achievement (id, type, name, description, criteria) and
    IdentityObjects (identityHash, identityType, hashed); credentialSchema and credentialStatus
    entries with id and type; ``proof`` as an array of objects with a type."""
    problems = []
    context = credential.get("@context", [])
    if context[:1] != ["https://www.w3.org/ns/credentials/v2"] or not any(
            re.fullmatch(r"https://purl\.imsglobal\.org/spec/ob/v3p0/context-3\.0\.\d+\.json", c) for c in context):
        problems.append("@context")
    types = credential.get("type", [])
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        problems.append("type")
    if not isinstance(credential.get("id"), str) or ":" not in credential["id"]:
        problems.append("id")
    issuer = credential.get("issuer", {})
    if not isinstance(issuer, dict) or not issuer.get("id") or "Profile" not in issuer.get("type", []):
        problems.append("issuer")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", credential.get("validFrom", "")):
        problems.append("validFrom")
    subject = credential.get("credentialSubject", {})
    if "AchievementSubject" not in subject.get("type", []):
        problems.append("credentialSubject.type")
    achievement = subject.get("achievement", {})
    if any(not achievement.get(key) for key in ("id", "type", "name", "description", "criteria")) or (
            "Achievement" not in achievement.get("type", [])):
        problems.append("credentialSubject.achievement")
    for identity in subject.get("identifier", []):
        if identity.get("type") != "IdentityObject" or not isinstance(identity.get("hashed"), bool) or not (
                identity.get("identityHash") and identity.get("identityType")):
            problems.append("credentialSubject.identifier")
    for key in ("credentialSchema", "credentialStatus"):
        entries = credential.get(key)
        entries = entries if isinstance(entries, list) else [entries]
        if any(not isinstance(entry, dict) or not entry.get("id") or not entry.get("type") for entry in entries):
            problems.append(key)
    proof = credential.get("proof")
    if not isinstance(proof, list) or not proof or any(not p.get("type") for p in proof):
        problems.append("proof")
    return problems


# --- the cases ---------------------------------------------------------------------------------------

def test_an_issued_credential_verifies_outside_in_safe_mode_with_its_status_checked(certificate, tmp_path):
    outside, ours = both(certificate.credential, tmp_path)
    assert outside["verified"] is True, outside["errors"]
    assert outside["signatureVerified"] is True
    assert outside["statusChecked"] is True and outside["revoked"] is False
    assert ours["checks"] == {"issuer": "ok", "signature": "ok", "expiry": "ok", "revocation": "ok"}


def test_the_credential_has_the_structure_the_ob30_schema_requires(certificate):
    assert ob3_structure_problems(certificate.credential) == []
    broken = copy.deepcopy(certificate.credential)
    broken["proof"] = broken["proof"][0]
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert ob3_structure_problems(broken) == ["credentialSubject.achievement", "proof"]


def test_the_recipient_is_a_salted_email_hash_beside_the_name(certificate, key_id):
    identities = certificate.credential["credentialSubject"]["identifier"]
    by_type = {identity["identityType"]: identity for identity in identities}
    assert by_type["name"]["identityHash"] == "Zoë Ñúñez" and by_type["name"]["hashed"] is False
    email = by_type["emailAddress"]
    assert email["hashed"] is True and email["type"] == "IdentityObject"
    expected = hashlib.sha256(("zoe.nunez@example.com" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    assert "zoe.nunez" not in json.dumps(certificate.credential).lower()
    other = issued(completed_enrollment(email="Zoe.Nunez+2@example.com"))
    other_email = {i["identityType"]: i for i in other.credential["credentialSubject"]["identifier"]}["emailAddress"]
    assert other_email["salt"] != email["salt"]  # a salt of each credential's own


def test_a_revoked_credential_is_seen_revoked_through_the_status_list(certificate, tmp_path):
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Issued by mistake")
    outside, ours = both(certificate.credential, tmp_path)
    assert outside["verified"] is False
    assert outside["signatureVerified"] is True
    assert outside["statusChecked"] is True and outside["revoked"] is True
    assert ours["checks"]["revocation"] == "revoked" and ours["checks"]["signature"] == "ok"


def test_an_erased_learners_credential_is_seen_revoked_outside(certificate, tmp_path):
    """A copy kept by the learner or an employer: once the learner is erased (the credential withdrawn, the
    name gone), the status list says revoked."""
    kept = copy.deepcopy(certificate.credential)
    certificates_erase(certificate.enrollment.user, None)
    certificate.refresh_from_db()
    assert certificate.credential is None and certificate.learner_erased and certificate.learner_name == ""
    outside, ours = both(kept, tmp_path)
    assert outside["statusChecked"] is True and outside["revoked"] is True
    assert ours["checks"]["revocation"] == "revoked"


def _set(path: tuple, value):
    def change(document: dict) -> None:
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


TAMPERING = {
    "credentialSchema.type, to another defined type": _set(("credentialSchema", 0, "type"), "1EdTechRevocationList"),
    "credentialSchema.type, to an undefined type": _set(("credentialSchema", 0, "type"), "MadeUpValidator2019"),
    "recipient name": _set(("credentialSubject", "identifier", 0, "identityHash"), "Someone Else"),
    "recipient email hash": _set(("credentialSubject", "identifier", 1, "identityHash"), "sha256$" + "0" * 64),
    "recipient salt": _set(("credentialSubject", "identifier", 1, "salt"), "0" * 32),
    "achievement name": _set(("credentialSubject", "achievement", "name"), "Another Course"),
    "achievement type": _set(("credentialSubject", "achievement", "achievementType"), "Diploma"),
    "validFrom": _set(("validFrom",), "2020-01-01T00:00:00Z"),
    "issuer name": _set(("issuer", "name"), "Someone Else Inc."),
}


@pytest.mark.parametrize("field", TAMPERING)
def test_a_tampered_credential_fails_outside_and_with_us(certificate, tmp_path, field):
    tampered = copy.deepcopy(certificate.credential)
    TAMPERING[field](tampered)
    outside, ours = both(tampered, tmp_path)
    assert outside["verified"] is False and outside["signatureVerified"] is False, outside
    assert ours["checks"]["signature"] not in {"ok", "skipped"}
    if field.endswith("an undefined type"):
        assert any("safe mode" in error.lower() for error in outside["errors"]), outside["errors"]
        assert ours["checks"]["signature"] == "canonicalization_failed"


def test_an_expired_credential_fails_outside_and_with_us(key_id, tmp_path):
    certificate = issued(completed_enrollment(course=one_step_course(validity_months=1)))
    long_ago = timezone.now() - timedelta(days=400)
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=long_ago, expires_at=long_ago + timedelta(days=30))
    certificate = certificate_services.certificate_render(certificate_id=certificate.pk, force=True)
    outside, ours = both(certificate.credential, tmp_path)
    assert outside["verified"] is False
    assert any("validUntil" in error for error in outside["errors"]), outside["errors"]
    assert ours["checks"]["expiry"] == "expired" and ours["checks"]["signature"] == "ok"


def test_a_credential_signed_by_an_unknown_key_fails_outside_and_with_us(certificate, tmp_path):
    stranger = Ed25519PrivateKey.generate()
    method = credential_keys.verification_method_id(
        open_badges.issuer_id(), credential_keys.public_key_multibase(stranger.public_key()))
    unsigned = {key: value for key, value in certificate.credential.items() if key != "proof"}
    forged = sign(unsigned, private_key=stranger, verification_method=method, created=timezone.now())
    outside, ours = both(forged, tmp_path)
    assert outside["verified"] is False and outside["signatureVerified"] is False
    assert ours["checks"]["signature"] == "key_not_resolved"
