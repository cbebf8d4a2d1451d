"""Acceptance: our AchievementCredential verifies with the project's verifier, fails after a one-byte
change, after revocation and after expiry, and validates against the OB 3.0 JSON schema kept in
tests/courses/certificates/credentials/schemas (offline)."""
import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from courses.certificates.credentials import keys, status_list
from courses.certificates.credentials.achievement import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
    build_achievement_credential,
    embedded_issuer,
    hashed_email_identity,
    issuer_profile,
    validity_problem,
)
from courses.certificates.credentials.data_integrity import canonicalize, sign, verify
from courses.certificates.errors import CredentialError

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ISSUER_ID = "https://lms.example/credentials/issuer"
LIST_URL = "https://lms.example/credentials/status/1"
VALID_FROM = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VALID_UNTIL = datetime(2028, 3, 1, 12, 0, tzinfo=UTC)
DURING = datetime(2027, 1, 1, tzinfo=UTC)


def validator(name: str) -> jsonschema.Draft201909Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)


UNSIGNED_ARGS = {
    "credential_id": "urn:uuid:5f0c7a52-3b1e-4a44-9f0e-2c1d7a3b9e01",
    "issuer": {"id": ISSUER_ID, "name": "Empathy LMS", "url": "https://lms.example"},
    "subject_name": "Ana Souza",
    "subject_id": None,
    "achievement": {
        "id": "https://lms.example/courses/empathy-in-service",
        "name": "Empathy in Customer Service",
        "description": "Completed the Empathy in Customer Service course.",
        "criteria": {"narrative": "Complete every lesson and pass the final assessment."},
    },
    "valid_from": VALID_FROM,
    "valid_until": VALID_UNTIL,
    "status": status_list.status_entry(LIST_URL, 42),
}


def unsigned_credential(*, index: int = 42, valid_until: datetime | None = VALID_UNTIL, subject_id=None) -> dict:
    return build_achievement_credential(**{**UNSIGNED_ARGS, "subject_id": subject_id, "valid_until": valid_until,
                                           "status": status_list.status_entry(LIST_URL, index)})


@pytest.fixture
def issued(keys_dir):
    keys.key_generate()
    key = keys.active_key()
    return sign(
        unsigned_credential(),
        private_key=key.private_key,
        verification_method=keys.verification_method_id(ISSUER_ID, key.key_id),
        created=VALID_FROM,
    )


def project_verifier(credential: dict, *, revoked: set[int], now: datetime) -> tuple[bool, str | None]:
    """What the verify command/endpoint compose: signature by one of the issuer's keys, validity
    period, revocation through the status list."""
    issuer_id = credential["issuer"]["id"]
    result = verify(credential, resolve_key=lambda method: keys.resolve_key(method, controller=issuer_id), now=now)
    if not result.verified:
        return False, result.error
    if problem := validity_problem(credential, now=now):
        return False, problem
    entry = credential["credentialStatus"]
    encoded = status_list.encode_status_list(revoked)
    if status_list.is_revoked(encoded, status_list.entry_index(entry)):
        return False, "revoked"
    return True, None


def test_credential_shape(issued):
    assert issued["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert issued["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert issued["validFrom"] == "2026-03-01T12:00:00Z" and issued["validUntil"] == "2028-03-01T12:00:00Z"
    assert "issuanceDate" not in issued
    assert issued["issuer"] == {
        "id": ISSUER_ID, "name": "Empathy LMS", "url": "https://lms.example", "type": ["Profile"]
    }
    subject = issued["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and "id" not in subject
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityHash": "Ana Souza", "identityType": "name", "hashed": False}
    ]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["criteria"] == {"narrative": "Complete every lesson and pass the final assessment."}
    assert issued["credentialSchema"][0]["id"] == ACHIEVEMENT_CREDENTIAL_SCHEMA_URL
    assert issued["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert isinstance(issued["proof"], list)


def test_credential_validates_against_the_ob30_schema(issued):
    validator("ob_v3p0_achievementcredential_schema.json").validate(issued)
    with_subject_id = unsigned_credential(subject_id="did:example:ana")
    with_subject_id["proof"] = issued["proof"]
    validator("ob_v3p0_achievementcredential_schema.json").validate(with_subject_id)


def test_schema_traps_single_proof_object_and_vc11_dates(issued):
    schema = validator("ob_v3p0_achievementcredential_schema.json")
    single = copy.deepcopy(issued)
    single["proof"] = single["proof"][0]
    assert not schema.is_valid(single)
    vc11 = copy.deepcopy(issued)
    vc11["issuanceDate"] = vc11.pop("validFrom")
    assert not schema.is_valid(vc11)


def test_every_statement_of_our_credential_is_signed():
    # Safe-mode canonicalization refuses anything the contexts would drop, types included: the
    # 1EdTech credentialSchema type is defined by the OB extensions context, so it is signed too.
    nquads = canonicalize(unsigned_credential())
    assert '"Ana Souza"' in nquads and '"Empathy in Customer Service"' in nquads
    assert "statusListIndex> \"42\"" in nquads
    assert "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>" in nquads


def test_an_undefined_type_is_refused_not_dropped():
    credential = unsigned_credential()
    credential["credentialSchema"][0]["type"] = "SomeUndefinedValidator"
    with pytest.raises(CredentialError) as caught:
        canonicalize(credential)
    assert "SomeUndefinedValidator" in caught.value.message


def test_credential_verifies_with_the_project_verifier(issued):
    assert project_verifier(issued, revoked=set(), now=DURING) == (True, None)


def test_fails_after_a_one_byte_change_in_the_document(issued):
    tampered = copy.deepcopy(issued)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Ana Souzb"
    assert project_verifier(tampered, revoked=set(), now=DURING) == (False, "invalid_signature")
    tampered = copy.deepcopy(issued)
    tampered["name"] = tampered["name"].replace("Empathy", "Empathz")
    assert project_verifier(tampered, revoked=set(), now=DURING) == (False, "invalid_signature")
    tampered = copy.deepcopy(issued)
    tampered["validUntil"] = "2029-03-01T12:00:00Z"
    assert project_verifier(tampered, revoked=set(), now=DURING) == (False, "invalid_signature")


def test_fails_after_a_one_byte_change_in_the_serialized_json(issued):
    text = json.dumps(issued)
    position = text.index("Ana Souza") + 2
    tampered = json.loads(text[:position] + chr(ord(text[position]) ^ 1) + text[position + 1 :])
    ok, error = project_verifier(tampered, revoked=set(), now=DURING)
    assert not ok and error == "invalid_signature"


def test_fails_after_revocation(issued):
    assert project_verifier(issued, revoked={41, 43}, now=DURING) == (True, None)
    assert project_verifier(issued, revoked={42}, now=DURING) == (False, "revoked")


def test_fails_after_expiry_and_before_validity(issued):
    assert project_verifier(issued, revoked=set(), now=VALID_UNTIL + timedelta(seconds=1)) == (False, "expired")
    assert project_verifier(issued, revoked=set(), now=VALID_UNTIL) == (False, "expired")
    assert project_verifier(issued, revoked=set(), now=VALID_FROM - timedelta(seconds=1)) == (False, "not_yet_valid")


def test_fails_when_signed_under_another_issuer_url(keys_dir):
    keys.key_generate()
    key = keys.active_key()
    credential = sign(unsigned_credential(), private_key=key.private_key,
                      verification_method=f"https://evil.example/issuer#{key.key_id}", created=VALID_FROM)
    assert project_verifier(credential, revoked=set(), now=DURING) == (False, "key_not_resolved")


def test_validity_problem():
    credential = unsigned_credential(valid_until=None)
    assert validity_problem(credential, now=datetime(2100, 1, 1, tzinfo=UTC)) is None
    assert validity_problem({"validFrom": "garbage"}, now=DURING) == "invalid_dates"


@pytest.mark.parametrize(
    "change",
    [
        {"subject_name": "  "},
        {"credential_id": "cert-1"},
        {"valid_until": VALID_FROM},
        {"achievement": {"id": "https://lms.example/a", "name": "A", "description": "B"}},
    ],
)
def test_build_refuses_incomplete_input(change):
    arguments = {
        "credential_id": "urn:uuid:5f0c7a52-3b1e-4a44-9f0e-2c1d7a3b9e01",
        "issuer": {"id": ISSUER_ID, "name": "Empathy LMS"},
        "subject_name": "Ana",
        "subject_id": None,
        "achievement": {"id": "https://lms.example/a", "name": "A", "description": "B", "criteria": "Do it."},
        "valid_from": VALID_FROM,
        "valid_until": None,
        "status": None,
    }
    arguments.update(change)
    with pytest.raises(CredentialError):
        build_achievement_credential(**arguments)


def test_issuer_profile_publishes_every_key_and_validates(keys_dir):
    old_id = keys.key_generate()
    new_id = keys.key_generate()
    profile = issuer_profile(issuer_id=ISSUER_ID, name="Empathy LMS", url="https://lms.example",
                             email="certificates@lms.example")
    validator("ob_v3p0_profile_schema.json").validate(profile)
    methods = {method["id"]: method for method in profile["verificationMethod"]}
    assert set(methods) == {f"{ISSUER_ID}#{old_id}", f"{ISSUER_ID}#{new_id}"}
    for key_id in (old_id, new_id):
        method = methods[f"{ISSUER_ID}#{key_id}"]
        assert method == {"id": f"{ISSUER_ID}#{key_id}", "type": "Multikey", "controller": ISSUER_ID,
                          "publicKeyMultibase": key_id}
    assert set(profile["assertionMethod"]) == set(methods)
    nquads = canonicalize(profile)  # a well-formed JSON-LD document: every term defined
    assert "https://w3id.org/security#publicKeyMultibase" in nquads
    embedded = embedded_issuer(profile)
    assert "verificationMethod" not in embedded and "@context" not in embedded
    assert embedded["type"] == ["Profile"]


def test_the_hashed_email_identity_is_sha256_of_the_lowercased_address_and_the_salt():
    identity = hashed_email_identity("  Ana.Souza@Example.COM ", "c0ffee")
    digest = hashlib.sha256(b"ana.souza@example.comc0ffee").hexdigest()
    assert identity == {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
                        "hashed": True, "salt": "c0ffee"}


@pytest.mark.parametrize(("email", "salt"), [("ana@example.com", ""), ("", "c0ffee"), ("not-an-address", "c0ffee")])
def test_the_hashed_email_identity_needs_an_address_and_a_salt(email, salt):
    with pytest.raises(CredentialError):
        hashed_email_identity(email, salt)


def test_the_email_identity_is_signed_beside_the_name(keys_dir):
    credential = build_achievement_credential(**{**UNSIGNED_ARGS, "subject_email": "ana@example.com",
                                                 "identity_salt": "c0ffee"})
    assert [i["identityType"] for i in credential["credentialSubject"]["identifier"]] == ["name", "emailAddress"]
    nquads = canonicalize(credential)
    assert '"c0ffee"' in nquads and hashed_email_identity("ana@example.com", "c0ffee")["identityHash"] in nquads
