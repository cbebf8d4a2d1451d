"""Issuer signing keys: Ed25519, one unencrypted PKCS#8 PEM file per key, outside the database.

Layout of ``settings.CREDENTIAL_KEYS_DIR`` (default ``VAR_DIR/keys``; in production a mounted
secret directory)::

    z6Mk...<key id>.pem   mode 0600, one per key ever generated (directory mode 0700)
    ACTIVE                the key id new credentials are signed with

The key id is the key's Multikey ``publicKeyMultibase`` (``z`` + base58btc(0xed01 + raw public
key)), the usual fragment of a Multikey verification method: a credential's
``verificationMethod`` is ``<issuer id>#<key id>``. ``key_generate`` adds a key and makes it the
active one; older keys stay on disk and in the published issuer profile, so credentials signed
with them keep verifying (rotation). Removing a key file withdraws it: its credentials then fail.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from courses.certificates.errors import CertificateErrorCode, CredentialKeyError, CredentialKeyNotFound

logger = logging.getLogger(__name__)

ACTIVE_FILE = "ACTIVE"
#: Multicodec prefix of an Ed25519 public key (varint 0xed), as used by Multikey and did:key.
ED25519_PUB_MULTICODEC = b"\xed\x01"
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58_ALPHABET)}
_KEY_ID_RE = re.compile(r"^z[1-9A-HJ-NP-Za-km-z]{40,60}$")


# --- base58btc / Multikey ------------------------------------------------------------------
def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet), leading zero bytes kept as ``1``."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ValueError(f"not base58btc: {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """Multikey ``publicKeyMultibase``: ``z`` + base58btc(0xed 0x01 + 32-byte raw key)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Inverse of ``public_key_multibase``; ``CredentialKeyError`` if it is not an Ed25519 Multikey."""
    try:
        if not value.startswith("z"):
            raise ValueError("multibase prefix is not 'z' (base58btc)")
        data = b58decode(value[1:])
        if len(data) != 34 or not data.startswith(ED25519_PUB_MULTICODEC):
            raise ValueError("not an Ed25519 public key (0xed01 + 32 bytes)")
        return Ed25519PublicKey.from_public_bytes(data[2:])
    except ValueError as exc:
        raise CredentialKeyError(f"Invalid Ed25519 Multikey {value!r}: {exc}.",
                                 code=CertificateErrorCode.INVALID_KEY) from None


def key_id_of(verification_method: str) -> str:
    """The key id (URL fragment) of a verification method ``<controller>#<key id>``."""
    return verification_method.rpartition("#")[2]


def verification_method_id(controller: str, key_id: str) -> str:
    return f"{controller}#{key_id}"


# --- key files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuerKey:
    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    created: datetime
    active: bool
    path: Path


def keys_dir() -> Path:
    return Path(settings.CREDENTIAL_KEYS_DIR)


def _check_key_id(key_id: str) -> str:
    if not isinstance(key_id, str) or not _KEY_ID_RE.match(key_id):
        raise CredentialKeyNotFound(f"{key_id!r} is not a credential key id.")
    return key_id


def _key_path(key_id: str) -> Path:
    return keys_dir() / f"{_check_key_id(key_id)}.pem"


def _load_private(key_id: str) -> Ed25519PrivateKey:
    path = _key_path(key_id)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CredentialKeyNotFound(f"No credential key {key_id!r} in {keys_dir()}.") from None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("credential key %s is readable by group/others (mode %o); use 0600", path, mode)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise CredentialKeyError(f"Credential key file {path} is not an unencrypted PEM key: {exc}.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialKeyError(f"Credential key file {path} is not an Ed25519 key.")
    if public_key_multibase(key.public_key()) != key_id:
        raise CredentialKeyError(f"Credential key file {path} does not hold the key its name says.")
    return key


def _write_active(directory: Path, key_id: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".active-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key_id + "\n")
        os.replace(tmp, directory / ACTIVE_FILE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def key_generate() -> str:
    """Create a new Ed25519 key file (mode 0600), make it the active key and return its key id."""
    directory = keys_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = Ed25519PrivateKey.generate()
    key_id = public_key_multibase(private_key.public_key())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(_key_path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    _write_active(directory, key_id)
    logger.info("generated credential key %s in %s", key_id, directory)
    return key_id


def active_key_id() -> str:
    try:
        key_id = (keys_dir() / ACTIVE_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise CredentialKeyError(
            f"No active credential key in {keys_dir()}: run `manage.py credential_keys generate`.",
            code=CertificateErrorCode.NO_ACTIVE_KEY,
        ) from None
    return _check_key_id(key_id)


def active_key() -> IssuerKey:
    """The key new credentials are signed with."""
    key_id = active_key_id()
    return IssuerKey(key_id=key_id, private_key=_load_private(key_id))


def public_key(key_id: str) -> Ed25519PublicKey:
    """The public key of any key still on disk (active or rotated out)."""
    return _load_private(key_id).public_key()


def list_keys() -> list[KeyInfo]:
    """Every key on disk, oldest first (file modification time), with the active one marked."""
    directory = keys_dir()
    if not directory.is_dir():
        return []
    try:
        active = active_key_id()
    except (CredentialKeyError, CredentialKeyNotFound):
        active = None
    infos = []
    for path in directory.glob("*.pem"):
        if not _KEY_ID_RE.match(path.stem):
            continue
        created = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        infos.append(KeyInfo(key_id=path.stem, created=created, active=path.stem == active, path=path))
    return sorted(infos, key=lambda info: (info.created, info.key_id))


def resolve_key(verification_method: str, *, controller: str | None = None) -> Ed25519PublicKey:
    """Resolver for ``data_integrity.verify`` over our own keys.

    With ``controller`` (the issuer id), the method must be exactly ``<controller>#<key id>``, so a
    credential naming another issuer's URL with one of our key ids is refused.
    """
    key_id = key_id_of(verification_method)
    if controller is not None and verification_method != verification_method_id(controller, key_id):
        raise CredentialKeyNotFound(
            f"Verification method {verification_method!r} is not one of {controller!r}'s keys."
        )
    return public_key(key_id)
