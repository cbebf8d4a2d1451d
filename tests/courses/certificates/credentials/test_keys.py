import stat
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from courses.certificates.credentials import keys
from courses.certificates.credentials.data_integrity import sign, verify
from courses.certificates.errors import CredentialKeyError, CredentialKeyNotFound

from .test_data_integrity import spec_test_vector_credential

ISSUER = "https://lms.example/credentials/issuer"


def sign_with_active(document: dict) -> dict:
    key = keys.active_key()
    return sign(document, private_key=key.private_key,
                verification_method=keys.verification_method_id(ISSUER, key.key_id), created=datetime.now(UTC))


def our_resolver(method: str):
    return keys.resolve_key(method, controller=ISSUER)


def test_base58btc_round_trip_keeps_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(256)), b"\xff" * 64):
        assert keys.b58decode(keys.b58encode(data)) == data
    assert keys.b58encode(b"\0\0\x01") == "112"
    with pytest.raises(ValueError):
        keys.b58decode("0OIl")


def test_multikey_encoding_matches_the_spec_vector():
    seed = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw.hex() == "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
    multibase = keys.public_key_multibase(public)
    assert multibase == "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    decoded = keys.public_key_from_multibase(multibase)
    assert decoded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw


@pytest.mark.parametrize("value", ["", "6MkjZ", "zzzz", "z" + keys.b58encode(b"\x80\x26" + bytes(32)), "uAAAA"])
def test_multikey_decoding_refuses_non_ed25519_values(value):
    with pytest.raises(CredentialKeyError):
        keys.public_key_from_multibase(value)


def test_generate_writes_a_0600_pem_outside_the_database_and_activates_it(keys_dir):
    # No django_db mark: any database access here would fail the test.
    key_id = keys.key_generate()
    path = keys_dir / f"{key_id}.pem"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    assert keys.public_key_multibase(loaded.public_key()) == key_id
    assert keys.active_key_id() == key_id
    assert keys.active_key().key_id == key_id
    assert isinstance(keys.public_key(key_id), Ed25519PublicKey)


def test_without_keys_there_is_no_active_key(keys_dir):
    with pytest.raises(CredentialKeyError) as info:
        keys.active_key()
    assert info.value.code == "no_active_key"
    assert keys.list_keys() == []


def test_rotation_keeps_credentials_signed_with_older_keys_verifiable(keys_dir):
    old_id = keys.key_generate()
    old_credential = sign_with_active(spec_test_vector_credential())
    new_id = keys.key_generate()
    assert new_id != old_id
    assert keys.active_key_id() == new_id
    new_credential = sign_with_active(spec_test_vector_credential())

    assert old_credential["proof"][0]["verificationMethod"].endswith("#" + old_id)
    assert new_credential["proof"][0]["verificationMethod"].endswith("#" + new_id)
    assert verify(old_credential, resolve_key=our_resolver).verified
    assert verify(new_credential, resolve_key=our_resolver).verified
    listed = keys.list_keys()
    assert [info.key_id for info in listed if info.active] == [new_id]
    assert {info.key_id for info in listed} == {old_id, new_id}

    # Withdrawing a key (deleting its file) makes its credentials fail.
    (keys_dir / f"{old_id}.pem").unlink()
    result = verify(old_credential, resolve_key=our_resolver)
    assert not result.verified and result.error == "key_not_resolved"


def test_our_resolver_only_accepts_our_issuer_and_our_keys(keys_dir):
    key_id = keys.key_generate()
    assert keys.resolve_key(f"{ISSUER}#{key_id}", controller=ISSUER)
    with pytest.raises(CredentialKeyNotFound):
        keys.resolve_key(f"https://evil.example/issuer#{key_id}", controller=ISSUER)
    stranger = keys.public_key_multibase(Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CredentialKeyNotFound):
        keys.resolve_key(f"{ISSUER}#{stranger}", controller=ISSUER)
    with pytest.raises(CredentialKeyNotFound):
        keys.public_key("../../etc/passwd")


def test_a_key_file_that_does_not_match_its_name_is_refused(keys_dir):
    key_id = keys.key_generate()
    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (keys_dir / f"{key_id}.pem").write_bytes(other)
    with pytest.raises(CredentialKeyError):
        keys.public_key(key_id)
