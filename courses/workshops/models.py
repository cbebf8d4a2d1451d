"""Workshops: instructor-led sessions of a workshop activity, with seats, a waitlist and attendance.

Times are stored in UTC; each session keeps the IANA time zone it is held in, so calendars show
local times correctly across daylight-saving changes. A session has one or more parts (days);
its ``starts_at``/``ends_at`` are the first start and the last end of its parts, kept by the
services for filtering and overlap checks.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Activity
from courses.enrollments.models import Enrollment
from lms.models import validate_timezone


def new_uid() -> str:
    return uuid.uuid4().hex


class Workshop(models.Model):
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="workshop",
                                    limit_choices_to={"kind": Activity.Kind.WORKSHOP})
    description = models.TextField(blank=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="workshops_taught")
    requires_approval = models.BooleanField(
        default=False, help_text="Registrations wait for the learner's manager or the staff to approve them.")
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.activity.title


class WorkshopSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True, help_text="Empty: the workshop's title.")
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="workshop_sessions_taught",
                                         help_text="Who runs it and takes attendance.")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone],
                                help_text="IANA time zone the session is held in.")
    venue = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    waitlist_enabled = models.BooleanField(default=True)
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open now.")
    registration_closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: closes at the start.")
    cancellation_cutoff_hours = models.PositiveIntegerField(
        default=24, help_text="Booked learners may cancel until this many hours before the start.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False,
                           help_text="Stable calendar identity.")
    sequence = models.PositiveIntegerField(default=0, editable=False,
                                           help_text="Calendar revision, raised on every change.")
    next_ticket = models.PositiveIntegerField(default=1, editable=False,
                                              help_text="Arrival number for the next registration.")
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workshop_session_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True)
                                   | Q(ends_at__gt=models.F("starts_at")), name="workshop_session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M} UTC" if self.starts_at else "unscheduled"
        return f"{self.display_title} ({when})"

    @property
    def display_title(self) -> str:
        return self.title or self.workshop.activity.title


class SessionPart(models.Model):
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="parts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    required = models.BooleanField(default=True, help_text="Attending it is needed to complete the workshop.")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="session_part_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


ACTIVE_REGISTRATION = ("pending_approval", "booked", "waitlisted")


class Registration(models.Model):
    """One learner's place in one session. Cancelling and registering again reuses the row (with a
    new arrival number); every step is a RegistrationEvent, so the history is kept."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", "Waiting for approval"
        BOOKED = "booked", "Booked"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Declined"

    class Attendance(models.TextChoices):
        PENDING = "pending", "Not recorded yet"
        COMPLETED = "completed", "Attended every required part"
        INCOMPLETE = "incomplete", "Missed a required part"
        NO_SHOW = "no_show", "No-show"

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_registrations")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="workshop_registrations")
    status = models.CharField(max_length=20, choices=Status.choices)
    ticket = models.PositiveIntegerField(help_text="Arrival number in the session: the waitlist's order.")
    sequence = models.PositiveIntegerField(default=0, editable=False,
                                           help_text="Raised on every change of this learner's place.")
    attendance = models.CharField(max_length=16, choices=Attendance.choices, default=Attendance.PENDING)
    registered_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticket", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="registration_once_per_session"),
        ]
        indexes = [models.Index(fields=["session", "status", "ticket"]), models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.session_id}: {self.status}"


class RegistrationEvent(models.Model):
    """The registration history: who did what, when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Asked for approval"
        BOOKED = "booked", "Booked"
        WAITLISTED = "waitlisted", "Waitlisted"
        PROMOTED = "promoted", "Promoted from the waitlist"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled"
        ATTENDANCE = "attendance", "Attendance recorded"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class AttendanceMark(models.Model):
    class Status(models.TextChoices):
        ATTENDED = "attended", "Attended"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="marks")
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(max_length=16, choices=Status.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    marked_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["part_id", "registration_id"]
        constraints = [models.UniqueConstraint(fields=["registration", "part"], name="attendance_once_per_part")]

    def __str__(self) -> str:
        return f"{self.registration_id}/{self.part_id}: {self.status}"


class WorkshopEmail(models.Model):
    """An email about a registration, logged under a unique key before it is sent (sent at most once)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Registration confirmed"
        PROMOTED = "promoted", "Promoted from the waitlist"
        CANCELLED = "cancelled", "Registration cancelled"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled"
        RESCHEDULED = "rescheduled", "Session moved"

    key = models.CharField(max_length=100, unique=True)
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    method = models.CharField(max_length=8, help_text="iCalendar METHOD of the attachment: REQUEST or CANCEL.")
    sequence = models.PositiveIntegerField(help_text="SEQUENCE of the attached events.")
    to = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Claimed just before sending.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return self.key


class CalendarFeedToken(models.Model):
    """A personal iCalendar feed URL. Only a SHA-256 digest of the secret is stored; revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                               name="calendar_feed_one_active_per_user")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SessionMessage(models.Model):
    """A message the staff of a session wrote to its learners; one delivery row per recipient."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=5000)
    include_waitlisted = models.BooleanField(default=False)
    key = models.CharField(max_length=64, unique=True, help_text="The form's idempotency key: one message per key.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class SessionMessageDelivery(models.Model):
    """One recipient of a session message, logged under a unique key before it is sent (sent at most once)."""

    message = models.ForeignKey(SessionMessage, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100, unique=True)
    to = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Claimed just before sending.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return self.key
