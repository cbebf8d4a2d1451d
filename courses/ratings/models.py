"""A learner's rating of a course: stars and an optional review, one per learner and course."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Course


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_ratings")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    review = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="rating_once_per_user_course"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_range"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ {self.course} by {self.user}"
