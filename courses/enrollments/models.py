"""A learner's way through a course: the enrollment and its progress per activity."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Activity, Course
from lms.models import Organization


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments",
        help_text="The organization the learner took the course for (reports are scoped by it).",
    )
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=now)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    last_activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The activity the learner opened last: where Resume takes them.",
    )
    progress_percent = models.PositiveSmallIntegerField(default=0)
    final_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_user_course_unique"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="enrollment_progress_range"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="enrollment_completed_has_timestamp",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status"]),
            models.Index(fields=["organization", "updated_at", "id"]),
            # The HR summary's rollup reads today's due enrollments live (courses.hr_reports.rollup_read).
            models.Index(fields=["organization", "due_at"], condition=Q(status="active"),
                         name="enrollment_active_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class ActivityProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(default=now)
    last_seen_at = models.DateTimeField(default=now)
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "activity progress"
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "activity"], name="progress_enrollment_activity_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="progress_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.activity_id}: {self.status}"


class VideoWatch(models.Model):
    """Which parts of a video lesson a learner has played: the union of the ranges their player reported,
    so a part watched twice counts once and the total never goes down (``services/watching.py``)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="video_watches")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="video_watches")
    ranges = models.JSONField(default=list)  # [[start, end], ...] in seconds, sorted, disjoint
    seconds_watched = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "activity"], name="video_watch_unique")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.activity_id}: {self.seconds_watched}s"


class GradeOverride(models.Model):
    """The audit row of a course manager's override of one learner's result on one activity: what it was,
    what it became, who changed it, when and why (``services/gradebook.py``)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="grade_overrides")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="grade_overrides")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    old_status = models.CharField(max_length=16, choices=ActivityProgress.Status.choices)
    new_status = models.CharField(max_length=16, choices=ActivityProgress.Status.choices)
    old_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enrollment", "created_at"])]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.activity_id}: {self.old_status} -> {self.new_status}"


class Extension(models.Model):
    """Something granted to one learner beyond the course's rules: a later due date, an extra attempt at a
    quiz, more minutes on a quiz's clock. Rows only add up; the quiz rules read the sums."""

    class Kind(models.TextChoices):
        DUE_DATE = "due_date", "Later due date"
        EXTRA_ATTEMPT = "extra_attempt", "Extra quiz attempt"
        EXTRA_TIME = "extra_time", "More quiz time"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="extensions")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 help_text="The quiz an extra attempt or more time is for (empty for a due date).")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.PositiveIntegerField(null=True, blank=True,
                                         help_text="Extra attempts, or extra minutes of quiz time.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="The new due date (a due-date extension).")
    previous_due_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enrollment", "activity", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="due_date", due_at__isnull=False, activity__isnull=True)
                           | (Q(kind__in=["extra_attempt", "extra_time"], amount__gte=1, activity__isnull=False))),
                name="extension_kind_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.kind}"
