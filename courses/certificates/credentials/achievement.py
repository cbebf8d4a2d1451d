"""Open Badges 3.0 documents: the AchievementCredential for a certificate and the issuer Profile.

Shapes follow OB 3.0 on VC 2.0 (``validFrom``/``validUntil``, ``@context`` = VC v2 + OB context
3.0.3) so they validate against the OB AchievementCredential JSON schema once signed (``proof``
is added by ``data_integrity.sign`` as an array). Every property used is defined by the pinned
contexts, so the whole credential is covered by the signature.
"""
from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from courses.certificates.credentials.keys import list_keys, public_key_from_multibase, verification_method_id
from courses.certificates.credentials.loader import MULTIKEY_V1, OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2
from courses.certificates.errors import CredentialError

#: The OB extensions context defines ``1EdTechJsonSchemaValidator2019`` (``credentialSchema.type``):
#: without it, safe-mode processors refuse the credential and the type would go unsigned.
CREDENTIAL_CONTEXT = (VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS)
#: The pinned contexts define Multikey but not the controller-document terms, so the profile
#: defines them inline with the IRIs the W3C Controlled Identifiers vocabulary uses.
PROFILE_KEY_TERMS = {
    "verificationMethod": {"@id": "https://w3id.org/security#verificationMethod", "@type": "@id"},
    "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"},
}
ACHIEVEMENT_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
#: OB 3.0 names this validator type; the OB extensions context defines it.
CREDENTIAL_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
#: OB 3.0 AchievementType for "credential earned through the completion of a course or program".
DEFAULT_ACHIEVEMENT_TYPE = "CertificateOfCompletion"


def format_datetime(value: datetime) -> str:
    """XML Schema dateTime in UTC, whole seconds: ``2026-11-25T10:00:00Z``."""
    if value.tzinfo is None:
        raise CredentialError("Credential dates must be timezone-aware.")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def hashed_email_identity(email: str, salt: str) -> dict:
    """An OB 3.0 ``IdentityObject`` for an email address, hashed: ``sha256$`` + the hex SHA-256 of
    the address (trimmed, lower-cased) followed by ``salt``. A relying party who knows the address
    can check it; nobody else can read it."""
    address = email.strip().lower()
    if not address or "@" not in address or not salt:
        raise CredentialError("A hashed email identity needs an email address and a salt.")
    digest = hashlib.sha256((address + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def _require(mapping: dict, keys: Iterable[str], what: str) -> None:
    missing = [key for key in keys if not mapping.get(key)]
    if missing:
        raise CredentialError(f"The {what} needs {', '.join(missing)}.", fields={key: ["Required."] for key in missing})


def _issuer(issuer: dict) -> dict:
    _require(issuer, ("id", "name"), "issuer profile")
    result = copy.deepcopy(issuer)
    result.pop("@context", None)
    types = result.get("type") or []
    types = [types] if isinstance(types, str) else list(types)
    result["type"] = types if "Profile" in types else ["Profile", *types]
    # A published profile lists keys; the embedded issuer does not need them.
    result.pop("verificationMethod", None)
    result.pop("assertionMethod", None)
    return result


def _achievement(achievement: dict) -> dict:
    _require(achievement, ("id", "name", "description", "criteria"), "achievement")
    result = copy.deepcopy(achievement)
    criteria = result["criteria"]
    if isinstance(criteria, str):
        result["criteria"] = {"narrative": criteria}
    elif not isinstance(criteria, dict) or not (criteria.get("narrative") or criteria.get("id")):
        raise CredentialError("The achievement's criteria needs a narrative or an id (URL).")
    types = result.get("type") or []
    types = [types] if isinstance(types, str) else list(types)
    result["type"] = types if "Achievement" in types else ["Achievement", *types]
    result.setdefault("achievementType", DEFAULT_ACHIEVEMENT_TYPE)
    return result


def build_achievement_credential(
    *,
    credential_id: str,
    issuer: dict,
    subject_name: str,
    subject_id: str | None,
    achievement: dict,
    valid_from: datetime,
    valid_until: datetime | None,
    status: dict | None,
    subject_email: str | None = None,
    identity_salt: str | None = None,
) -> dict:
    """An unsigned OB 3.0 AchievementCredential (types VerifiableCredential + OpenBadgeCredential).

    - ``credential_id``: absolute IRI, e.g. ``urn:uuid:...`` or the certificate's public URL.
    - ``issuer``: Profile fields (``id`` = the issuer profile URL, ``name``, ``url``, ...).
    - ``subject_name`` goes in an unhashed ``IdentityObject`` (identityType ``name``), the OB way
      to name an earner; ``subject_id`` (a DID or URL) is optional.
    - ``subject_email`` with ``identity_salt`` (per credential) adds a hashed ``emailAddress``
      IdentityObject (see ``hashed_email_identity``), the OB way to tie the credential to a recipient.
    - ``achievement``: ``id``, ``name``, ``description``, ``criteria`` (``{"narrative": ...}`` or
      a string); ``achievementType`` defaults to ``CertificateOfCompletion``; other OB Achievement
      fields pass through.
    - ``status``: a ``status_list.status_entry(...)`` or None.
    Sign the result with ``data_integrity.sign``.
    """
    if not subject_name or not subject_name.strip():
        raise CredentialError("The credential subject needs a name.", fields={"subject_name": ["Required."]})
    if not credential_id or ":" not in credential_id:
        raise CredentialError("The credential id must be an absolute IRI (URL or urn:uuid:...).")
    if valid_until is not None and valid_until <= valid_from:
        raise CredentialError("validUntil must be after validFrom.")
    achievement_doc = _achievement(achievement)
    subject: dict[str, Any] = {}
    if subject_id:
        subject["id"] = subject_id
    subject["type"] = ["AchievementSubject"]
    subject["identifier"] = [
        {"type": "IdentityObject", "identityHash": subject_name.strip(), "identityType": "name", "hashed": False}
    ]
    if subject_email:
        subject["identifier"].append(hashed_email_identity(subject_email, identity_salt or ""))
    subject["achievement"] = achievement_doc
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_doc["name"],
        "description": achievement_doc["description"],
        "issuer": _issuer(issuer),
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = subject
    if status is not None:
        credential["credentialStatus"] = copy.deepcopy(status)
    credential["credentialSchema"] = [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, "type": CREDENTIAL_SCHEMA_TYPE}]
    return credential


def validity_problem(credential: dict, *, now: datetime | None = None) -> str | None:
    """``"not_yet_valid"``, ``"expired"`` or ``"invalid_dates"`` if ``now`` is outside
    validFrom/validUntil (or they do not parse); None when the credential is in its validity period."""
    now = now or datetime.now(UTC)
    try:
        valid_from = credential.get("validFrom")
        valid_until = credential.get("validUntil")
        if valid_from is not None and parse_datetime(valid_from) > now:
            return "not_yet_valid"
        if valid_until is not None and parse_datetime(valid_until) <= now:
            return "expired"
    except (TypeError, ValueError, AttributeError):
        return "invalid_dates"
    return None


def issuer_profile(
    *,
    issuer_id: str,
    name: str,
    url: str,
    key_ids: Iterable[str] | None = None,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
) -> dict:
    """The issuer Profile to publish at ``issuer_id`` (a stable URL), with its public keys.

    ``verificationMethod`` lists one Multikey per key (default: every key in
    ``CREDENTIAL_KEYS_DIR``, rotated-out ones included, so old credentials keep verifying); each
    id is ``<issuer_id>#<publicKeyMultibase>``, the value credentials name in
    ``proof.verificationMethod``; ``assertionMethod`` references them all.
    """
    if key_ids is None:
        key_ids = [info.key_id for info in list_keys()]
    methods = []
    for key_id in key_ids:
        public_key_from_multibase(key_id)  # refuse anything that is not an Ed25519 Multikey
        methods.append(
            {
                "id": verification_method_id(issuer_id, key_id),
                "type": "Multikey",
                "controller": issuer_id,
                "publicKeyMultibase": key_id,
            }
        )
    profile: dict[str, Any] = {
        "@context": [VC_V2, OB_V3P0, MULTIKEY_V1, copy.deepcopy(PROFILE_KEY_TERMS)],
        "id": issuer_id,
        "type": ["Profile"],
        "name": name,
    }
    if url:
        profile["url"] = url
    if email:
        profile["email"] = email
    if description:
        profile["description"] = description
    if image:
        profile["image"] = {"id": image, "type": "Image"}
    profile["verificationMethod"] = methods
    profile["assertionMethod"] = [method["id"] for method in methods]
    return profile


def embedded_issuer(profile: dict) -> dict:
    """The issuer object to embed in credentials from a published profile (no keys, no context)."""
    return _issuer(profile)
