"""Bitstring Status List v1.0 (W3C) for revocation.

A status list is a bitstring, at least 131,072 bits (16 KiB, for herd privacy); bit ``i`` (from
the left: index 0 is the most significant bit of the first byte) is 1 when the credential with
``statusListIndex`` ``i`` is revoked. ``encodedList`` is the GZIP of the bitstring, base64url
without padding, with the multibase prefix ``u``. The list is published as a
``BitstringStatusListCredential``, signed with ``data_integrity.sign`` like any credential.
"""
from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from courses.certificates.credentials.achievement import format_datetime
from courses.certificates.credentials.loader import VC_V2
from courses.certificates.errors import CertificateErrorCode, CredentialError

MIN_LENGTH = 131_072
#: Decompressed size cap: refuses a "zip bomb" list (a legitimate one of 16 Mi entries is 2 MiB).
MAX_DECODED_BYTES = 16 * 1024 * 1024
STATUS_PURPOSE = "revocation"


def _error(message: str) -> CredentialError:
    return CredentialError(message, code=CertificateErrorCode.INVALID_STATUS_LIST)


def encode_status_list(revoked_indices: Iterable[int], length: int = MIN_LENGTH) -> str:
    """``encodedList`` for a list of ``length`` bits with ``revoked_indices`` set (deterministic)."""
    if length < MIN_LENGTH or length % 8:
        raise _error(f"A status list has at least {MIN_LENGTH} bits, a multiple of 8.")
    bits = bytearray(length // 8)
    for index in revoked_indices:
        if not 0 <= index < length:
            raise _error(f"Status list index {index} is outside 0..{length - 1}.")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str) -> bytes:
    """The raw bitstring of an ``encodedList`` (multibase ``u`` base64url, GZIP)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise _error("encodedList must be multibase base64url (prefix 'u').")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip container
        data = inflater.decompress(compressed, MAX_DECODED_BYTES)
        if inflater.unconsumed_tail:
            raise _error(f"The status list is larger than {MAX_DECODED_BYTES} bytes.")
        if not inflater.eof:
            raise _error("The status list is truncated.")
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise _error(f"encodedList is not GZIP + base64url: {exc}.") from None
    return data


def is_revoked(encoded: str, index: int) -> bool:
    bits = decode_status_list(encoded)
    if not 0 <= index < len(bits) * 8:
        raise _error(f"Status list index {index} is outside the list (0..{len(bits) * 8 - 1}).")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_entry(list_url: str, index: int) -> dict:
    """``credentialStatus`` of a credential: its bit ``index`` in the list published at ``list_url``."""
    if index < 0:
        raise _error("A status list index is not negative.")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *,
    list_url: str,
    issuer: str | dict,
    revoked_indices: Iterable[int],
    valid_from: datetime,
    valid_until: datetime | None = None,
    length: int = MIN_LENGTH,
) -> dict:
    """An unsigned ``BitstringStatusListCredential`` published at ``list_url`` (sign it with
    ``data_integrity.sign`` and the issuer's active key). ``issuer``: the issuer id, or its Profile."""
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not issuer_id:
        raise _error("The status list credential needs the issuer id.")
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,  # a URL: the list only needs the VC v2 context
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": STATUS_PURPOSE,
        "encodedList": encode_status_list(revoked_indices, length),
    }
    return credential


def entry_index(entry: dict) -> int:
    """The ``statusListIndex`` of a ``BitstringStatusListEntry`` as an int."""
    try:
        return int(entry["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        raise _error("credentialStatus has no valid statusListIndex.") from None
