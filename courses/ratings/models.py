"""A learner's rating of a course: stars and an optional review, one per learner and course; learners flag
reviews, and the course's staff hide them (a hidden rating leaves the average and the pages)."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from courses.catalog.models import Course


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_ratings")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    review = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  editable=False, related_name="+")
    hidden_reason = models.CharField(max_length=200, blank=True, editable=False)
    flag_count = models.PositiveIntegerField(default=0, editable=False, help_text="Learners who reported it.")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["course", "hidden_at", "-updated_at"], name="rating_course_visible")]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="rating_once_per_user_course"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_range"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ {self.course} by {self.user}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def reviewer_name(self) -> str:
        """How a review is signed in public: the first name and the last name's initial, never the email."""
        first, last = self.user.first_name.strip(), self.user.last_name.strip()
        if not first:
            return str(_("A learner"))
        return f"{first} {last[0]}." if last else first


class RatingFlag(models.Model):
    """A learner's report that a review breaks the rules; one per learner and review, its reason editable."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or abusive")
        PERSONAL_DATA = "personal_data", _("Shares someone's personal data")
        OFF_TOPIC = "off_topic", _("Not about this course")
        OTHER = "other", _("Something else")

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "user"], name="rating_flag_once_per_user"),
            models.CheckConstraint(condition=Q(reason__in=["spam", "offensive", "personal_data", "off_topic",
                                                           "other"]), name="rating_flag_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} flag on rating {self.rating_id} by {self.user_id}"
