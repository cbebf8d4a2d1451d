"""The privacy domain's tables (re-exported from lms/models.py, so their app label is ``lms``)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import pgettext_lazy

# --- access log ------------------------------------------------------------------------------

class AccessLogEntry(models.Model):
    """One read of people's data by someone other than them: who (a person, or an organization API key,
    whose prefix and name are copied so the entry outlives the key), whose data (``subject``; null when the
    read covered many people, a report page or an export), through which channel, and when. Written only by
    ``lms.privacy.access_services.access_record``; kept for the ``access_log`` retention class (``at``)."""

    class Channel(models.TextChoices):
        REPORT = "report", pgettext_lazy("access log channel", "Report")
        EXPORT = "export", pgettext_lazy("access log channel", "Export")
        ADMIN = "admin", pgettext_lazy("access log channel", "Administration")
        API = "api", pgettext_lazy("access log channel", "API")
        PAGE = "page", pgettext_lazy("access log channel", "Page")

    at = models.DateTimeField(default=now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    api_key = models.ForeignKey("lms.OrganizationAPIKey", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    api_key_prefix = models.CharField(max_length=16, blank=True)
    api_key_label = models.CharField(max_length=50, blank=True, help_text="The key's name when it read.")
    organization = models.ForeignKey("lms.Organization", on_delete=models.CASCADE, related_name="access_log")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", help_text="Whose data; empty when the read covered many people.")
    people = models.PositiveIntegerField(null=True, blank=True,
                                         help_text="How many people the read covered, when known.")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    what = models.CharField(max_length=64, help_text="The operation or view, e.g. report.completions.")
    detail = models.JSONField(default=dict, blank=True, help_text="Small: the filters, the export's id.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "at"], name="access_log_org_at"),
            models.Index(fields=["subject", "at"], name="access_log_subject_at"),
        ]
        verbose_name = "access log entry"
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.channel} {self.what} @ {self.at:%Y-%m-%d %H:%M}"

# --- end of access log -----------------------------------------------------------------------


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

    @property
    def shown_status(self) -> str:
        """The status people see: a ready export whose link has run out reads as expired (the nightly retention
        then deletes it with its archive)."""
        if self.status == self.Status.READY and self.expires_at is not None and self.expires_at <= now():
            return self.Status.EXPIRED
        return self.status

    @property
    def shown_status_label(self) -> str:
        return str(self.Status(self.shown_status).label)


# --- erasure (lms/privacy/services/erasure.py) ---------------------------------------------------------------


class ErasureRequest(models.Model):
    """A request to erase one person: asked, confirmed, then carried out by the ``lms.privacy_erase`` task.

    Held while an organization the person belongs to is under legal hold; lifting the hold carries it out.
    Once done, the row keeps only states and dates: the person it names is by then an anonymous account.
    """

    class State(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed, waiting to run"
        HELD = "held", "Held (legal hold)"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Role(models.TextChoices):
        SELF = "self", "The person"
        ORG_ADMIN = "org_admin", "An organization admin"

    OPEN = (State.AWAITING_CONFIRMATION, State.CONFIRMED, State.HELD)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("lms.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", help_text="The admin's organization, for an admin's request.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    state = models.CharField(max_length=24, choices=State.choices, default=State.AWAITING_CONFIRMATION)
    created_at = models.DateTimeField(default=now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(state__in=["awaiting_confirmation", "confirmed",
                                                                            "held"]),
                                    name="erasure_request_one_open_per_user"),
        ]

    def __str__(self) -> str:
        return f"erasure request {self.pk} ({self.state})"


class ErasureRecord(models.Model):
    """What is kept of an erasure: when, who asked (a role, and an admin's id), the organizations, and salted
    hashes (HMAC) of the normalized address and each employee id, so a re-import of the person is refused.
    No name, no address, no employee id in clear."""

    erased_at = models.DateTimeField(default=now, db_index=True)
    requested_role = models.CharField(max_length=16, choices=ErasureRequest.Role.choices)
    requested_by_id = models.BigIntegerField(null=True, blank=True, help_text="The admin's user id, if one asked.")
    organization_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"erasure at {self.erased_at:%Y-%m-%d %H:%M}"


class ErasureIdentifier(models.Model):
    """One salted hash an erasure keeps (address or employee id), indexed for the re-import check."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Address"
        EMPLOYEE_ID = "employee_id", "Employee id"

    record = models.ForeignKey(ErasureRecord, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.CharField(max_length=64, help_text="HMAC of the normalized address, or of the organization "
                                                       "id and the employee id.")

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}…"

# --- end erasure ---------------------------------------------------------------------------------------------
