"""The privacy domain's tables (re-exported from lms/models.py)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import pgettext_lazy

# --- data exports (services/export.py builds them, exports.py writes the archive) -----------------------------


class DataExport(models.Model):
    """One export of everything the LMS holds about ``subject``: a ZIP under exports/privacy/ that leaves only
    through the subject's signed download link. At most one is pending or running per person."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("privacy export", "Requested")
        RUNNING = "running", pgettext_lazy("privacy export", "Being prepared")
        READY = "ready", pgettext_lazy("privacy export", "Ready")
        FAILED = "failed", pgettext_lazy("privacy export", "Failed")
        EXPIRED = "expired", pgettext_lazy("privacy export", "Expired")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_exports")
    # Null when the person asked for it themself or the requesting admin's account is gone.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    # The organization whose admin asked on the person's behalf; null for the person's own request.
    organization = models.ForeignKey("lms.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # the claim written before the mail goes
    file = models.FileField(upload_to="exports/privacy/", blank=True, max_length=200)
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject"], condition=Q(status__in=["pending", "running"]),
                                    name="privacy_export_one_active_per_subject"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} of user {self.subject_id} ({self.status})"
