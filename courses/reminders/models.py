"""Reminders: org/course policies, learner preferences and the log that makes each reminder go out at most once.

The kinds are not database choices: they come from the source registry (courses/reminders/sources/),
so a new kind is one new module and no migration.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.reminders.errors import ReminderErrorCode
from courses.reminders.log_storage import period_month
from lms.models import Organization


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or any(not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7
                                          for day in value) or len(set(value)) != len(value):
        raise ValidationError("Give distinct ISO weekdays, 1 (Monday) to 7 (Sunday).",
                              code=ReminderErrorCode.INVALID_WEEKDAYS)


class ReminderPolicy(models.Model):
    """An organization's override of a kind's defaults, for all its learners or for one course."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reminder_policies")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               help_text="Empty: every course of the organization's learners.")
    # One of the registered reminder kinds: checked by the services and the admin form, which know the
    # registry (a model module imports none).
    kind = models.CharField(max_length=32)
    enabled = models.BooleanField(default=True)
    days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(365)],
        help_text="The kind's number of days (see the README); empty keeps the default.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder policies"
        ordering = ["organization_id", "kind", "course_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], condition=Q(course__isnull=True),
                                    name="reminder_policy_org_kind_unique"),
            models.UniqueConstraint(fields=["organization", "course", "kind"], condition=Q(course__isnull=False),
                                    name="reminder_policy_course_kind_unique"),
        ]

    def __str__(self) -> str:
        scope = self.course.slug if self.course_id else "all courses"
        return f"{self.organization} / {scope}: {self.kind}"


def default_quiet_days() -> list[int]:
    return [6, 7]


class ReminderSettings(models.Model):
    """Per organization: sender, quiet hours and days (in each learner's time zone), daily cap."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="reminder_settings")
    from_email = models.CharField(max_length=254, blank=True, help_text="Empty: DEFAULT_FROM_EMAIL.")
    reply_to = models.EmailField(blank=True)
    quiet_start = models.TimeField(default=datetime.time(21, 0))
    quiet_end = models.TimeField(default=datetime.time(8, 0))
    quiet_days = models.JSONField(default=default_quiet_days, blank=True, validators=[validate_weekdays],
                                  help_text="ISO weekdays without reminders (6 = Saturday, 7 = Sunday).")
    daily_cap = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(50)],
                                                 help_text="Messages per learner per local day; the rest "
                                                 "are folded into one digest.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.organization}"


class NotificationPreference(models.Model):
    """A person's choices; no row means the defaults (everything on, the organization's quiet hours)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_enabled = models.BooleanField(default=True, help_text="Off: no reminder of any kind.")
    disabled_kinds = models.JSONField(default=list, blank=True)
    quiet_start = models.TimeField(null=True, blank=True, help_text="Empty: the organization's.")
    quiet_end = models.TimeField(null=True, blank=True)
    quiet_days = models.JSONField(null=True, blank=True, validators=[validate_weekdays])
    paused_at = models.DateTimeField(null=True, blank=True,
                                     help_text="Set when the address bounced permanently; clear it to resume.")
    paused_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class PeriodMonthField(models.IntegerField):
    """The month a log row's period falls in (YYYYMM, 0 for timeless periods), always computed from the
    period as the row is inserted, by ``save`` and ``bulk_create`` alike: no caller can pair a period
    with another month. The sweep's INSERT ... SELECT computes the same in SQL."""

    def pre_save(self, model_instance, add):
        if add:
            value = period_month(model_instance.period)
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)


class ReminderLog(models.Model):
    """One reminder to one person about one thing for one period, written before anything is sent.

    The unique key (recipient, kind, subject, period) is what makes "at most once" hold under
    concurrent sweeps and duplicate task deliveries; the status moves pending -> sending -> sent
    through claims that only one worker can win.

    **Built for scale** (see courses/reminders/log_storage.py and the README, "The reminder log"). On
    PostgreSQL the table is partitioned by ``period_month``, the month the period falls in, so retention
    drops whole months instead of deleting rows. A unique key on a partitioned table must contain the
    partition key, so the key is (recipient, kind, subject, period, period_month); since the month is a
    function of the period text, that is exactly as strong as (recipient, kind, subject, period). Kinds
    whose period names no time ("once", a workshop lead "24h") live in the timeless partition (month 0),
    which retention never drops: such a reminder can be due again at any time, and only its row stops it.
    Dated periods older than the retention horizon are never logged again (the sweep filters them out),
    so dropping their month cannot let a reminder out twice.

    **Constraints on the hot insert path.** The sweep inserts rows it has just selected from the
    enrollments, memberships, certificates or registrations that name them, in the same statement, so a
    database check that the recipient, enrollment and organization exist would re-read what was just
    read: those foreign keys are declared without database constraints (and the enrollment and
    organization columns without indexes). Django still deletes a person's rows with the person (the
    unique key's index leads with the recipient, so that delete is an index scan); a deleted enrollment
    or organization leaves its id behind, which dispatch and sending read as "gone" (suppressed, or the
    organization's defaults). What stays, and why: the primary key (id, period_month) — Django addresses
    rows by id, and PostgreSQL requires the partition key in it; the unique key — at most once; the
    partial index of pending rows by ``not_before`` — dispatch walks it and stops at "now"; the index of
    (recipient, claimed_at) — the daily cap reads each recipient's recent claims (partial: claimed rows
    only, so the sweep's inserts skip it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"
        FOLDED = "folded", "Folded into a digest"

    # No separate index on recipient or kind: the unique key's index starts with them. No database
    # constraint on the three foreign keys: the sweep inserts ids it has just read (see above).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders",
                                  db_index=False, db_constraint=False)
    kind = models.CharField(max_length=32)
    subject_id = models.BigIntegerField(help_text="What the reminder is about (an enrollment, certificate, "
                                        "membership or person, by kind).")
    period = models.CharField(max_length=32, help_text="The window in which it is sent once (a date, a week, once).")
    period_month = PeriodMonthField(default=0, editable=False,
                                    help_text="The month of the period (YYYYMM; 0: a period that names no "
                                    "time). The partition key on PostgreSQL.")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
                                   db_index=False, db_constraint=False)
    organization = models.ForeignKey(Organization, on_delete=models.DO_NOTHING, null=True, blank=True,
                                     related_name="+", db_index=False, db_constraint=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=now)
    not_before = models.DateTimeField(default=now,
                                      help_text="Not sent before this moment (when it was logged, or deferred "
                                      "for quiet time, the daily cap or a retry).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    digest_period = models.CharField(max_length=32, blank=True,
                                     help_text="Folded rows: the period of the digest that carries them.")
    detail = models.CharField(max_length=500, blank=True, help_text="Why it was suppressed, or the last error.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "subject_id", "period", "period_month"],
                                    name="reminder_log_once_per_period"),
        ]
        indexes = [
            # The dispatch walks pending rows in this order and stops at "now": deferred rows cost nothing.
            models.Index(fields=["not_before", "id"], condition=Q(status="pending"), name="reminder_log_ready"),
            # The daily cap reads each recipient's recent claims. Rows are inserted unclaimed, so a partial
            # index of claimed rows costs the sweep's inserts nothing.
            models.Index(fields=["recipient", "claimed_at"], condition=Q(claimed_at__isnull=False),
                         name="reminder_log_recipient_claims"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} about {self.subject_id} ({self.period}): {self.status}"


class ReminderSweepMark(models.Model):
    """Where the sweep of one kind over one scope (every organization, or one) left off.

    ``swept_until`` is the moment of the last sweep of that kind and scope that committed; the next sweep
    need only look at the rows whose time came after it (see courses/reminders/services/sweep_marks.py).
    ``full_at`` is the moment of the last sweep that read every due row, and ``policies`` a digest of the
    kind's rules it ran with: when the rules change, or a day has passed since ``full_at``
    (REMINDER_FULL_SWEEP_HOURS), the next sweep reads everything again. Deleting a mark (the admin's
    action) makes the next sweep of its kind and scope a full one.
    """

    kind = models.CharField(max_length=32)
    # "all", or the organization ids the sweep was limited to ("none": reminders of no organization).
    scope = models.CharField(max_length=64)
    swept_until = models.DateTimeField()
    full_at = models.DateTimeField()
    policies = models.CharField(max_length=64, help_text="A digest of the kind's rules the sweep ran with.")

    class Meta:
        ordering = ["kind", "scope"]
        constraints = [models.UniqueConstraint(fields=["kind", "scope"], name="reminder_sweep_mark_unique")]

    def __str__(self) -> str:
        return f"{self.kind} / {self.scope}: swept until {self.swept_until:%Y-%m-%d %H:%M}"
