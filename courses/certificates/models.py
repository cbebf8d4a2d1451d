"""Certificates: one per completed enrollment, with a public code that never changes."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from courses.enrollments.models import Enrollment


class Certificate(models.Model):
    """What was certified, frozen at issue: later edits to the course or the learner's name change
    a certificate only through an explicit reissue, which keeps its code and logs an event."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=32, unique=True, editable=False,
                            help_text="Public verification code: 120 random bits, URL-safe, fixed forever.")
    learner_name = models.CharField(max_length=300)
    learner_erased = models.BooleanField(default=False, help_text="Issued to a learner who asked to be forgotten: "
                                                                  "no name is kept, the credential is revoked.")
    course_title = models.CharField(max_length=200)
    course_language = models.CharField(max_length=16)
    issuer_name = models.CharField(max_length=200)
    issuer = models.ForeignKey(
        "lms.Organization", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+",
        help_text="The organization that issued it (the course's, else the learner's at issue), kept when the "
                  "enrollment later leaves the organization, as an erasure makes it; empty for the public catalog's "
                  "own certificates.")
    hours_credited = models.DecimalField(max_digits=5, decimal_places=1)
    final_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    show_score = models.BooleanField(default=False, help_text="Print the final score on the certificate.")
    issued_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    revoked_reason = models.CharField(max_length=500, blank=True)
    pdf = models.FileField(upload_to="certificates/", blank=True)
    template_version = models.PositiveSmallIntegerField(default=0,
                                                        help_text="Version of the PDF layout last rendered.")
    credential = models.JSONField(null=True, blank=True, editable=False,
                                  help_text="The signed Open Badges 3.0 credential.")
    rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True,
                                      help_text="Set before the issue email is sent, so it is sent at most once.")
    status_index = models.BigIntegerField(
        null=True, blank=True, unique=True, editable=False,
        help_text="Its bit in the revocation status lists; empty: the certificate's id. A certificate renewed after "
                  "a correction takes a new one, and its earlier identity keeps the old bit (RetiredCertificateCode).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="revoked") | models.Q(revoked_at__isnull=False),
                name="certificate_revoked_has_timestamp",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.course_title} — {self.learner_name} ({self.code})"

    @property
    def effective_status(self) -> str:
        """valid, revoked or expired (expiry is a matter of the clock, not of a stored flag)."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now():
            return "expired"
        return "valid"


#: Status-list bits of renewed certificates start here, far above any certificate id, so they never meet.
RENEWED_STATUS_INDEX_BASE = 1 << 32


class RetiredCertificateCode(models.Model):
    """A certificate's earlier identity: revoked because a corrected result took its completion back, then
    replaced when the learner completed the course properly (the enrollment keeps one certificate row, renewed
    under a new code). The old code still verifies, as revoked; its signed credential is still served, and its
    bit in the status list stays set, so an outside verifier holding it sees it revoked."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="retired_codes")
    code = models.CharField(max_length=32, unique=True, editable=False)
    status_index = models.BigIntegerField(unique=True, editable=False)
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    issuer_name = models.CharField(max_length=200)
    hours_credited = models.DecimalField(max_digits=5, decimal_places=1)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField()
    revoked_reason = models.CharField(max_length=500, blank=True)
    credential = models.JSONField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["retired_at", "id"]

    def __str__(self) -> str:
        return f"{self.course_title} — {self.learner_name} ({self.code}, replaced)"

    effective_status = "revoked"


class CertificateEvent(models.Model):
    """The audit trail: issued, rendered, emailed, reissued, revoked — who, when, why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Issued"
        RENDERED = "rendered", "PDF and credential generated"
        EMAILED = "emailed", "Emailed to the learner"
        REISSUED = "reissued", "Reissued"
        REVOKED = "revoked", "Revoked"

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
