import base64
import gzip
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from courses.certificates.credentials import status_list
from courses.certificates.credentials.data_integrity import canonicalize, sign, verify
from courses.certificates.errors import CredentialError

LIST_URL = "https://lms.example/credentials/status/1"
ISSUER = "https://lms.example/credentials/issuer"


def test_round_trip_sets_exactly_the_revoked_bits():
    revoked = {0, 7, 8, 42, 131_071}
    encoded = status_list.encode_status_list(revoked)
    assert encoded.startswith("u") and "=" not in encoded
    bits = status_list.decode_status_list(encoded)
    assert len(bits) == 131_072 // 8
    assert bits[0] == 0b1000_0001  # index 0 is the left-most (most significant) bit
    assert bits[1] == 0b1000_0000
    for index in (0, 7, 8, 42, 131_071):
        assert status_list.is_revoked(encoded, index)
    for index in (1, 9, 41, 43, 131_070):
        assert not status_list.is_revoked(encoded, index)


def test_encoding_is_gzip_base64url_per_the_spec_and_deterministic():
    encoded = status_list.encode_status_list({3})
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw[0] == 0b0001_0000 and not any(raw[1:])
    assert status_list.encode_status_list({3}) == encoded
    assert status_list.encode_status_list(set()) != encoded


def test_longer_lists_and_invalid_parameters():
    encoded = status_list.encode_status_list({200_000}, length=262_144)
    assert status_list.is_revoked(encoded, 200_000)
    with pytest.raises(CredentialError):
        status_list.encode_status_list(set(), length=1024)  # below the spec's 16 KiB minimum
    with pytest.raises(CredentialError):
        status_list.encode_status_list({131_072})
    with pytest.raises(CredentialError):
        status_list.encode_status_list({-1})
    with pytest.raises(CredentialError):
        status_list.is_revoked(status_list.encode_status_list(set()), 131_072)


@pytest.mark.parametrize("encoded", ["", "H4sIAAAA", "u!!!!", "u" + base64.urlsafe_b64encode(b"plain").decode()])
def test_decode_refuses_malformed_lists(encoded):
    with pytest.raises(CredentialError) as info:
        status_list.decode_status_list(encoded)
    assert info.value.code == "invalid_status_list"


def test_decode_refuses_a_zip_bomb():
    bomb = gzip.compress(bytes(status_list.MAX_DECODED_BYTES + 1), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(CredentialError):
        status_list.decode_status_list(encoded)


def test_status_entry_shape():
    entry = status_list.status_entry(LIST_URL, 42)
    assert entry == {
        "id": f"{LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }
    assert status_list.entry_index(entry) == 42


def test_status_list_credential_signs_and_verifies():
    signer = Ed25519PrivateKey.generate()
    document = status_list.status_list_credential(
        list_url=LIST_URL, issuer={"id": ISSUER, "type": ["Profile"], "name": "Empathy LMS"},
        revoked_indices={5}, valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == ISSUER
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    canonicalize(document)  # every term is defined: the whole list is signed
    signed = sign(document, private_key=signer, verification_method=f"{ISSUER}#key", created=datetime.now(UTC))
    assert verify(signed, resolve_key=lambda method: signer.public_key()).verified
    assert status_list.is_revoked(signed["credentialSubject"]["encodedList"], 5)

    signed["credentialSubject"]["encodedList"] = status_list.encode_status_list(set())  # un-revoke by forgery
    assert not verify(signed, resolve_key=lambda method: signer.public_key()).verified
