"""Empathy instruments (questionnaires) and their administration as survey activities.

An instrument has items on one response scale; some items are reverse-scored and each may
belong to a subscale. A survey activity gives one instrument before (at enrollment) or after (at
completion); a learner answers it once.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Activity
from courses.enrollments.models import Enrollment
from lms.models import Organization


class Instrument(models.Model):
    class Scoring(models.TextChoices):
        MEAN = "mean", "Mean of the answered items"
        SUM = "sum", "Sum (prorated over missing items)"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="instruments",
                                     help_text="Empty for ours; else the importing organization's.")
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, max_length=3000)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_labels = models.JSONField(default=dict, blank=True, help_text='{"1": "Strongly disagree", ...}')
    allow_na = models.BooleanField(default=False, help_text="Items may be answered 'not applicable'.")
    scoring = models.CharField(max_length=8, choices=Scoring.choices, default=Scoring.MEAN)
    max_missing = models.PositiveSmallIntegerField(default=1, help_text="Missing or N/A answers tolerated; "
                                                   "more and the score is left empty.")
    licence = models.CharField(max_length=500, blank=True, help_text="Who owns the text and on what terms.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug", "version"], name="instrument_slug_version_unique"),
            models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")), name="instrument_scale_order"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=40)
    text = models.CharField(max_length=1000)
    reverse = models.BooleanField(default=False)
    subscale = models.SlugField(max_length=40, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["instrument", "key"], name="item_key_unique")]

    def __str__(self) -> str:
        return self.text[:80]


class Survey(models.Model):
    class Timing(models.TextChoices):
        BEFORE = "before", "Before (at enrollment)"
        AFTER = "after", "After (at completion)"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="survey")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    timing = models.CharField(max_length=8, choices=Timing.choices)

    def __str__(self) -> str:
        return f"{self.instrument} ({self.timing})"


class InstrumentResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="instrument_responses")
    answers = models.JSONField(default=dict, help_text="{item key: value, or null for N/A}.")
    missing = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True,
                                help_text="Empty when more answers are missing than the instrument tolerates.")
    subscale_scores = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["survey", "enrollment"], name="response_once_per_survey")]

    def __str__(self) -> str:
        return f"{self.survey} by {self.enrollment_id}"
