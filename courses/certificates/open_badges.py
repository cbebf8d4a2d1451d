"""Certificates as Open Badges 3.0 credentials: the glue between ``Certificate`` rows and the
credential code in courses/credentials/ (which knows nothing of the database).

Stable public URLs (all under ``SITE_URL``):

- ``/api/v1/credentials/issuer.json``: the issuer Profile with every public key still on disk, the
  id that credentials name as ``issuer.id`` and that prefixes each ``proof.verificationMethod``.
- ``/api/v1/credentials/status/<n>.json``: Bitstring Status List number ``n`` (revocation), signed.
  A certificate's place in the lists comes from its primary key: list ``pk // STATUS_LIST_LENGTH``,
  bit ``pk % STATUS_LIST_LENGTH``. Keys never change, so neither does a credential's status entry.
- ``/api/v1/certificates/<code>/credential.json``: the signed AchievementCredential (also its id).
- ``/api/v1/credentials/achievements/<course slug>/``: the Achievement a credential names (JSON-LD,
  or an HTML page for browsers), for courses that have issued a certificate; no personal data.

The recipient is named twice in ``credentialSubject.identifier``: by name (unhashed) and by email
address, hashed with a salt of the credential's own (``identity_salt``: derived from the
certificate code and ``SECRET_KEY``, so re-rendering keeps it and nobody can guess it).

``credential_verify`` checks what a relying party would: signature (by one of our keys, rotated-out
ones included), issuer, validity dates and revocation (read from the database, the same truth the
status list publishes).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.catalog.models import Course
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.credentials.achievement import (
    CREDENTIAL_CONTEXT,
    DEFAULT_ACHIEVEMENT_TYPE,
    build_achievement_credential,
    embedded_issuer,
    issuer_profile,
    validity_problem,
)
from courses.certificates.credentials.data_integrity import sign, verify
from courses.certificates.credentials.status_list import MIN_LENGTH, status_entry, status_list_credential
from courses.certificates.errors import CertificateErrorCode, CredentialError, CredentialKeyError
from courses.certificates.models import Certificate, RetiredCertificateCode

STATUS_LIST_LENGTH = MIN_LENGTH  # 131,072 certificates per list (16 KiB before compression)
ACHIEVEMENT_CRITERIA = (
    "Completed every required activity of the course (lessons, quizzes, role-plays and workshops as the "
    "course defines them) and met its passing rules."
)


def api_url(path: str) -> str:
    return f"{settings.SITE_URL}/api/v1/{path}"


def issuer_id() -> str:
    return api_url("credentials/issuer.json")


def status_list_url(number: int) -> str:
    return api_url(f"credentials/status/{number}.json")


def credential_url(code: str) -> str:
    return api_url(f"certificates/{code}/credential.json")


def achievement_url(course_slug: str) -> str:
    return api_url(f"credentials/achievements/{course_slug}/")


def identity_salt(code: str) -> str:
    """The per-credential salt of the recipient's hashed email: stable for a certificate, unguessable."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"open-badges-identity-salt:{code}".encode(), hashlib.sha256).hexdigest()[:32]


def status_position(certificate_id: int) -> tuple[int, int]:
    """(list number, bit index) of a certificate in the status lists."""
    return divmod(certificate_id, STATUS_LIST_LENGTH)


def signing_enabled() -> bool:
    """True when an active issuer key exists (``manage.py credential_keys generate``)."""
    try:
        credential_keys.active_key_id()
    except CredentialKeyError:
        return False
    return True


def published_issuer_profile() -> dict:
    return issuer_profile(
        issuer_id=issuer_id(),
        name=settings.CERTIFICATE_ISSUER_NAME,
        url=settings.SITE_URL,
        description="Issues the course certificates of this Empathy LMS installation as Open Badges 3.0 "
                    "credentials.",
    )


def _embedded_issuer() -> dict:
    return embedded_issuer({"id": issuer_id(), "name": settings.CERTIFICATE_ISSUER_NAME, "url": settings.SITE_URL})


def _sign(document: dict) -> dict:
    key = credential_keys.active_key()
    return sign(document, private_key=key.private_key,
                verification_method=credential_keys.verification_method_id(issuer_id(), key.key_id),
                created=timezone.now())


def achievement_document(*, course_slug: str, title: str, hours: Decimal, language: str, issuer_name: str) -> dict:
    """The OB 3.0 Achievement of a course (what ``credentialSubject.achievement`` embeds)."""
    shown_hours = f"{hours.normalize():f}"
    achievement: dict[str, Any] = {
        "id": achievement_url(course_slug),
        "type": ["Achievement"],
        "achievementType": DEFAULT_ACHIEVEMENT_TYPE,
        "name": title,
        "description": f"Completion of the course \u201c{title}\u201d ({shown_hours} hours), offered by {issuer_name}.",
        "criteria": {"narrative": ACHIEVEMENT_CRITERIA},
        "inLanguage": language,
    }
    if hours:
        achievement["creditsAvailable"] = float(hours)
    return achievement


def published_achievement(course: Course) -> dict:
    """The Achievement published at ``achievement_url``: the course as it is now, with the contexts."""
    organization = course.organization
    document = achievement_document(
        course_slug=course.slug, title=course.title, hours=course.hours_credited, language=course.language,
        issuer_name=organization.name if organization else settings.CERTIFICATE_ISSUER_NAME)
    return {"@context": list(CREDENTIAL_CONTEXT), **document}


def build_signed(certificate: Certificate) -> dict | None:
    """The signed AchievementCredential of ``certificate``, or None when no key is configured."""
    if not signing_enabled():
        return None
    enrollment = certificate.enrollment
    number, index = status_position(certificate.status_index if certificate.status_index is not None
                                    else certificate.pk)
    credential = build_achievement_credential(
        credential_id=credential_url(certificate.code),
        issuer=_embedded_issuer(),
        subject_name=certificate.learner_name,
        subject_id=None,
        subject_email=enrollment.user.email or None,
        identity_salt=identity_salt(certificate.code),
        achievement=achievement_document(
            course_slug=enrollment.course.slug, title=certificate.course_title, hours=certificate.hours_credited,
            language=certificate.course_language, issuer_name=certificate.issuer_name),
        valid_from=certificate.issued_at,
        valid_until=certificate.expires_at,
        status=status_entry(status_list_url(number), index),
    )
    return _sign(credential)


def status_list_document(number: int) -> dict:
    """Signed status list ``number``: the bits of revoked certificates set."""
    if number < 0:
        raise CredentialError("A status list number is not negative.", code=CertificateErrorCode.INVALID_STATUS_LIST)
    start = number * STATUS_LIST_LENGTH
    end = start + STATUS_LIST_LENGTH
    # A certificate's bit is its id unless it was renewed (status_index); a renewed one's earlier identity keeps
    # the old bit, set for good.
    revoked = (Certificate.objects.filter(status=Certificate.Status.REVOKED)
               .annotate(bit=Coalesce("status_index", "pk", output_field=BigIntegerField()))
               .filter(bit__gte=start, bit__lt=end).values_list("bit", flat=True))
    retired = RetiredCertificateCode.objects.filter(
        status_index__gte=start, status_index__lt=end).values_list("status_index", flat=True)
    document = status_list_credential(
        list_url=status_list_url(number), issuer=issuer_id(),
        revoked_indices=[bit - start for bit in [*revoked, *retired]], valid_from=timezone.now(),
    )
    return _sign(document)


# --- verification ----------------------------------------------------------------------------------

CHECKS = ("issuer", "signature", "expiry", "revocation")


@dataclass
class CredentialCheck:
    """Outcome of ``credential_verify``: each of CHECKS is ``"ok"``, an error code, or ``"skipped"``
    (not checked because the signature failed: unsigned claims are not worth reading)."""

    checks: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    certificate_code: str | None = None

    @property
    def verified(self) -> bool:
        return all(self.checks.get(name) == "ok" for name in CHECKS)

    def fail(self, check: str, code: str, message: str) -> None:
        self.checks[check] = code
        self.messages.append(message)

    def as_dict(self) -> dict:
        return {"verified": self.verified, "checks": {name: self.checks.get(name, "skipped") for name in CHECKS},
                "errors": list(self.messages), "certificate": self.certificate_code}


def _issuer_of(document: dict) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _holder_of_bit(bit: int) -> tuple[str, bool] | None:
    """(code, revoked) of whoever holds status-list bit ``bit``: a certificate (its id, or its own bit once
    renewed) or a renewed certificate's earlier identity, revoked for good (RetiredCertificateCode)."""
    retired = RetiredCertificateCode.objects.filter(status_index=bit).values_list("code", flat=True).first()
    if retired is not None:
        return retired, True
    certificate = (Certificate.objects.annotate(bit=Coalesce("status_index", "pk", output_field=BigIntegerField()))
                   .filter(bit=bit).values_list("code", "status").first())
    return (certificate[0], certificate[1] == Certificate.Status.REVOKED) if certificate else None


def _certificate_of_status(entry: Any) -> tuple[int | None, str | None]:
    """(status-list bit, error message) from a credentialStatus entry that points at our lists."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None, "The credential has no BitstringStatusListEntry status."
    if entry.get("statusPurpose") != "revocation":
        return None, "The credential's status entry is not for revocation."
    url = entry.get("statusListCredential")
    prefix, suffix = api_url("credentials/status/"), ".json"
    if not isinstance(url, str) or not url.startswith(prefix) or not url.endswith(suffix):
        return None, "The credential's status list is not one this issuer publishes."
    number = url[len(prefix):-len(suffix)]
    index = entry.get("statusListIndex")
    if not number.isdigit() or not isinstance(index, str) or not index.isdigit():
        return None, "The credential's status entry is malformed."
    if int(index) >= STATUS_LIST_LENGTH:
        return None, "The credential's status index is outside the list."
    return int(number) * STATUS_LIST_LENGTH + int(index), None


def credential_verify(document: Any, *, now: datetime | None = None) -> CredentialCheck:
    """Check a credential as a relying party would. Never raises for a bad document."""
    result = CredentialCheck()
    if not isinstance(document, dict):
        result.fail("signature", "invalid_credential", "A credential is a JSON object.")
        return result
    expected_issuer = issuer_id()
    if _issuer_of(document) != expected_issuer:
        result.fail("issuer", "unknown_issuer", f"The issuer is not {expected_issuer}.")
        return result
    result.checks["issuer"] = "ok"

    def resolve(method: str):
        return credential_keys.resolve_key(method, controller=expected_issuer)

    signature = verify(document, resolve_key=resolve, now=now)
    if not signature.verified:
        result.fail("signature", signature.error or "invalid_signature", signature.message)
        return result
    result.checks["signature"] = "ok"

    problem = validity_problem(document, now=now)
    if problem:
        result.fail("expiry", problem, {"expired": "The credential has expired.",
                                        "not_yet_valid": "The credential is not valid yet."}.get(
                                            problem, "The credential's validity dates do not parse."))
    else:
        result.checks["expiry"] = "ok"

    bit, message = _certificate_of_status(document.get("credentialStatus"))
    holder = _holder_of_bit(bit) if bit is not None else None
    if message:
        result.fail("revocation", "invalid_status", message)
    elif holder is None:
        result.fail("revocation", "unknown_certificate", "No certificate of this issuer holds that status entry.")
    else:
        code, revoked = holder
        result.certificate_code = code
        if document.get("id") != credential_url(code):
            result.fail("revocation", "invalid_status", "The status entry belongs to another certificate.")
        elif revoked:
            result.fail("revocation", "revoked", "The certificate was revoked.")
        else:
            result.checks["revocation"] = "ok"
    return result
