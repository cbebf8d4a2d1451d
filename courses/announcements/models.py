"""An announcement to the learners of one course or one workshop session, and who it was delivered to."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Course
from courses.workshops.models import WorkshopSession

MAX_SUBJECT = 200
MAX_BODY = 5000


class Announcement(models.Model):
    """Said once by a course's or a session's staff; its recipients are fixed when it is made."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="announcements",
                               help_text="The course whose learners it goes to (or the session's course).")
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="announcements", help_text="Empty: every learner of the course.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="announcements_written")
    subject = models.CharField(max_length=MAX_SUBJECT)
    body = models.TextField(max_length=MAX_BODY, help_text="Plain text; line breaks are kept.")
    created_at = models.DateTimeField(default=now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["course", "-created_at"], name="announcement_course_recent")]
        constraints = [models.CheckConstraint(condition=~Q(subject=""), name="announcement_has_subject")]

    def __str__(self) -> str:
        return self.subject


class AnnouncementDelivery(models.Model):
    """One learner's copy, written before any mail goes; ``sent_at`` is claimed just before sending, so
    each learner gets the mail at most once however often the sending runs."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcements")
    to = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_once_per_user")]
        indexes = [models.Index(fields=["announcement", "sent_at"], name="announcement_delivery_pending")]

    def __str__(self) -> str:
        return f"{self.announcement_id} -> {self.to}"
