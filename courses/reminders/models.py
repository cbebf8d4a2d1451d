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


class ReminderLog(models.Model):
    """One reminder to one person about one thing for one period, written before anything is sent.

    The unique key (recipient, kind, subject, period) is what makes "at most once" hold under
    concurrent sweeps and duplicate task deliveries; the status moves pending -> sending -> sent
    through claims that only one worker can win.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"
        FOLDED = "folded", "Folded into a digest"

    # No separate index on recipient or kind: the unique key's index starts with them.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders",
                                  db_index=False)
    kind = models.CharField(max_length=32)
    subject_id = models.BigIntegerField(help_text="What the reminder is about (an enrollment, certificate, "
                                        "membership or person, by kind).")
    period = models.CharField(max_length=32, help_text="The window in which it is sent once (a date, a week, once).")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
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
            models.UniqueConstraint(fields=["recipient", "kind", "subject_id", "period"],
                                    name="reminder_log_once_per_period"),
        ]
        indexes = [
            # The dispatch walks pending rows in this order and stops at "now": deferred rows cost nothing.
            models.Index(fields=["not_before", "id"], condition=Q(status="pending"), name="reminder_log_ready"),
            models.Index(fields=["recipient", "claimed_at"], name="reminder_log_recipient_claims"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} about {self.subject_id} ({self.period}): {self.status}"
