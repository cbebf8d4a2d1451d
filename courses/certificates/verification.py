"""What the public verify page and API show for a certificate code, and the floor on how fast they answer."""
from __future__ import annotations

import time

from django.conf import settings
from rest_framework import serializers

from courses.certificates import selectors
from courses.certificates.models import Certificate, RetiredCertificateCode
from lms.branding import logo_url
from lms.serializers import Serializer


def pad_to_minimum(started: float) -> None:
    """Let a public lookup that started at ``started`` (``time.monotonic()``) last at least
    VERIFY_MIN_SECONDS, so found and not-found answers take the same time."""
    remaining = settings.VERIFY_MIN_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def verification_payload(code: str) -> dict | None:
    """What the public may know about a certificate: status, name, course, dates, issuer. Nothing else.

    Unknown and known codes run the same query and the same serialisation, then both are padded
    to the same minimum duration, so timing tells nothing about which codes exist.
    """
    started = time.monotonic()
    found: Certificate | RetiredCertificateCode | None = (
        selectors.certificate_public(code=code) if len(code) <= 64 else None)
    if found is not None and found.code != code:
        # A code a renewed certificate replaced: still answered, as revoked (see RetiredCertificateCode).
        found = selectors.retired_certificate_public(code=code)
    subject = found or _DECOY
    issuer = None
    if found is not None:
        issuer = selectors.issuer_of(found.certificate if isinstance(found, RetiredCertificateCode) else found)
    payload = VerificationSerializer({
        "code": subject.code, "status": subject.effective_status, "learner_name": subject.learner_name,
        "learner_erased": _erased(found),
        "course_title": subject.course_title, "issuer_name": subject.issuer_name,
        "issued_at": subject.issued_at, "expires_at": subject.expires_at, "revoked_at": subject.revoked_at,
        "hours_credited": subject.hours_credited,
        "issuer_logo_url": logo_url(issuer) if found is not None else None,
    }).data
    pad_to_minimum(started)
    return payload if found is not None else None


def _erased(found: Certificate | RetiredCertificateCode | None) -> bool:
    """Issued to a learner who asked to be forgotten: no name is kept and the credential is revoked."""
    if isinstance(found, RetiredCertificateCode):
        return found.certificate.learner_erased
    return bool(found is not None and found.learner_erased)


class VerificationSerializer(Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired"])
    learner_name = serializers.CharField(help_text="Empty when the learner asked to be forgotten.")
    learner_erased = serializers.BooleanField(
        help_text="Issued to a learner who asked to be forgotten: no name is kept, and the credential is revoked "
                  "(status \"revoked\", its status-list bit set).")
    course_title = serializers.CharField()
    issuer_name = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    hours_credited = serializers.DecimalField(max_digits=5, decimal_places=1)
    issuer_logo_url = serializers.CharField(allow_null=True, help_text="The issuing organization's logo, if any.")


# A dummy used to do the same work when the code is unknown, so both answers take as long.
_DECOY = Certificate(code="-" * 20, learner_name="-", course_title="-", course_language="en", issuer_name="-",
                     hours_credited=0)
