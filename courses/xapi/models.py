"""xAPI: one LRS endpoint per organization, and the outbox of statements waiting for it."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from lms.models import Organization


class LrsEndpoint(models.Model):
    """Where an organization's statements go. Its credentials (HTTP Basic) are stored encrypted with a
    key derived from SECRET_KEY and are never shown again."""

    class Version(models.TextChoices):
        V1_0_3 = "1.0.3", "xAPI 1.0.3"
        V2_0_0 = "2.0.0", "xAPI 2.0 (IEEE 9274.1.1)"

    class ActorMode(models.TextChoices):
        ACCOUNT = "account", "Account with a pseudonymous id"
        MBOX = "mbox", "E-mail address (mbox)"
        MBOX_SHA1SUM = "mbox_sha1sum", "SHA-1 of the e-mail address (mbox_sha1sum)"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="lrs_endpoint")
    url = models.URLField(max_length=500, help_text="The LRS's xAPI base URL; statements go to <url>/statements.")
    version = models.CharField(max_length=8, choices=Version.choices, default=Version.V1_0_3)
    actor_mode = models.CharField(max_length=16, choices=ActorMode.choices, default=ActorMode.ACCOUNT)
    credentials_encrypted = models.TextField(
        help_text="The Basic credentials (username and password), encrypted with a key derived from SECRET_KEY.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "LRS endpoint"
        constraints = [
            models.CheckConstraint(condition=Q(version__in=["1.0.3", "2.0.0"]), name="lrs_endpoint_version_valid"),
            models.CheckConstraint(condition=Q(actor_mode__in=["account", "mbox", "mbox_sha1sum"]),
                                   name="lrs_endpoint_actor_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.url} (xAPI {self.version})"


class XapiStatement(models.Model):
    """One statement, written in the transaction of the event it tells (before anything is sent). Its id
    is derived from the event, so recording the same event twice, a resend or a backfill never makes a
    second statement; the JSON is frozen here, so every resend carries exactly the same statement."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    statement_id = models.UUIDField(unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="xapi_statements")
    event = models.CharField(max_length=100, help_text="What happened, e.g. enrollment:12:registered.")
    verb = models.CharField(max_length=32)
    statement = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-id"]
        verbose_name = "xAPI statement"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "failed"]),
                                   name="xapi_statement_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["organization", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} ({self.status})"
