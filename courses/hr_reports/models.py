"""HR reporting: export jobs, the audit log of report requests, webhook endpoints and deliveries."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from lms.models import Organization


class ReportExport(models.Model):
    """An asynchronous export of the completions report. The row is the job: a worker (re)starts it
    from what the row records, so a lost message or a killed worker never loses the job."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (file removed)"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="report_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    api_key_prefix = models.CharField(max_length=16, blank=True)
    format = models.CharField(max_length=8, choices=Format.choices)
    filters = models.JSONField(default=dict, blank=True)
    request_key = models.CharField(max_length=64, help_text="Digest of organization, format and filters.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    checkpoint_id = models.BigIntegerField(default=0, help_text="Last enrollment id written (CSV resumes after it).")
    checkpoint_bytes = models.BigIntegerField(default=0, help_text="Size of the work file at the checkpoint.")
    runs = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker started or resumed it.")
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "request_key"],
                                    condition=Q(status__in=["pending", "running"]),
                                    name="report_export_one_active_per_request"),
            models.CheckConstraint(condition=Q(format__in=["csv", "xlsx"]), name="report_export_format_valid"),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_format_display()} export {self.pk} ({self.status})"


class ReportAuditEntry(models.Model):
    """Who asked for which report, when, with which filters (one row per report request or export)."""

    class Kind(models.TextChoices):
        COMPLETIONS = "completions", "Completions report"
        SUMMARY = "summary", "Summary"
        EXPORT = "export", "Export requested"
        DOWNLOAD = "download", "Export downloaded"
        DASHBOARD = "dashboard", "Dashboard viewed"
        KEY_CREATED = "api_key_created", "API key created"
        KEY_REVOKED = "api_key_revoked", "API key revoked"
        WEBHOOK_CREATED = "webhook_created", "Webhook endpoint created"
        WEBHOOK_ROTATED = "webhook_rotated", "Webhook secret rotated"
        WEBHOOK_REPLAYED = "webhook_replayed", "Webhook delivery replayed"
        REMINDER = "reminder", "Reminder sent by HR"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    api_key_prefix = models.CharField(max_length=16, blank=True)
    format = models.CharField(max_length=8, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "report audit entry"
        verbose_name_plural = "report audit log"
        indexes = [models.Index(fields=["organization", "at"])]

    def __str__(self) -> str:
        who = self.user or (f"API key {self.api_key_prefix}" if self.api_key_prefix else "?")
        return f"{self.kind} by {who} at {self.at:%Y-%m-%d %H:%M}"


class WebhookEndpoint(models.Model):
    """An HR system's https URL that receives signed events of one organization."""

    class Event(models.TextChoices):
        ENROLLMENT_COMPLETED = "enrollment.completed", "Enrollment completed"
        CERTIFICATE_ISSUED = "certificate.issued", "Certificate issued"
        CERTIFICATE_REVOKED = "certificate.revoked", "Certificate revoked"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret_encrypted = models.TextField(help_text="The signing secret, encrypted with a key derived from SECRET_KEY.")
    event_types = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["organization_id", "id"]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return f"{self.url} ({'active' if self.is_active else 'disabled'})"


class WebhookDelivery(models.Model):
    """One event for one endpoint. Written before anything is sent; unique per (endpoint, event, object),
    so an event is queued once whatever reports it (the hook, the reconciler, a retry)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=32, choices=WebhookEndpoint.Event.choices)
    object_id = models.BigIntegerField(help_text="The enrollment (enrollment.*) or certificate (certificate.*) id.")
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    log = models.JSONField(default=list, blank=True, help_text="The latest attempts: when, status, error.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    replays = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_type", "object_id"],
                                    name="webhook_delivery_once_per_event"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_key} -> endpoint {self.endpoint_id} ({self.status})"

    @property
    def event_key(self) -> str:
        return f"{self.event_type}:{self.object_id}"


class HrRollup(models.Model):
    """The summary's figures, pre-aggregated per organization x course x department x kind x bucket.

    Built from the enrollments by ``services/rollup.py`` (a rebuild, or a refresh of the (organization,
    course) groups whose fingerprint moved); read by ``rollup_read.py``. Nothing time-dependent is stored
    as a verdict: overdue and certificate validity are read against the clock from due / expiry days. The
    one exception, ``DUE_TODAY``, counts what fell due since midnight up to the refresh's minute (written for
    every group at each refresh, with that minute), so a read looks at the enrollments of the last minute only.
    """

    class Kind(models.IntegerChoices):
        ENROLLED = 1, "Enrollments by month of enrollment"
        COMPLETED = 2, "Completions by month of completion (with score sums)"
        DURATION = 3, "Completions by days to complete (value: tenths of a day, bucket lower bound)"
        ACTIVE_DUE = 4, "Active enrollments by due day"
        CERTIFICATE_VALID = 5, "Valid certificates by expiry day (no day: never expires)"
        DUE_TODAY = 6, "Active enrollments due today before the refresh (value: its minute, counted from 2000)"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("lms.Department", on_delete=models.DO_NOTHING, db_constraint=False,
                                   null=True, blank=True, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    bucket = models.DateField(null=True, blank=True)
    value = models.IntegerField(default=0)
    count = models.IntegerField(default=0)
    score_sum = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    score_count = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organization", "course"]),
                   models.Index(fields=["organization", "kind", "bucket"])]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.course_id}/{self.department_id} {self.get_kind_display()} {self.bucket}"


class HrRollupGroup(models.Model):
    """What an (organization, course) group's rollup rows were built from: the refresh rebuilds a group
    when its enrollment count or its latest enrollment, certificate or membership change moves."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    enrollments = models.IntegerField(default=0)
    enrollment_stamp = models.DateTimeField(null=True, blank=True)
    certificate_stamp = models.DateTimeField(null=True, blank=True)
    membership_stamp = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "course"], name="hr_rollup_group_unique")]

    def __str__(self) -> str:
        return f"rollup group {self.organization_id}/{self.course_id}"
class ReportTombstone(models.Model):
    """A report row that left the report for good (its enrollment was deleted, with its user or course or on
    its own), written in the same transaction as the delete. The incremental sync hands it out as
    ``{"id": ..., "deleted": true, "updated_at": deleted_at}`` in (updated_at, id) order with the rows."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    enrollment_id = models.BigIntegerField(help_text="The row's id (enrollment_id) in the report.")
    deleted_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["deleted_at", "enrollment_id"]
        indexes = [models.Index(fields=["organization", "deleted_at", "enrollment_id"])]

    def __str__(self) -> str:
        return f"row {self.enrollment_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


class ReportSyncMark(models.Model):
    """High-water marks of the periodic work that keeps the sync key true (one row per name)."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
