"""Customer-satisfaction (CSAT) and quality-review scores per agent and period, imported from other systems.

One row is one agent's score over one period as the source system reports it, on its own scale (1-5, 0-100);
the report puts every score on 0-100 (``percent``) before averaging. ``external_id`` is the source's id for the
row, unique per organization: importing it again updates the row.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from lms.models import Membership, Organization


class OutcomeScore(models.Model):
    class Metric(models.TextChoices):
        CSAT = "csat", "Customer satisfaction"
        QUALITY = "quality", "Quality review"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="outcome_scores")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="outcome_scores",
                                   help_text="The agent, matched by HR employee id or email in the organization.")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    score = models.DecimalField(max_digits=9, decimal_places=3)
    scale_min = models.DecimalField(max_digits=9, decimal_places=3)
    scale_max = models.DecimalField(max_digits=9, decimal_places=3)
    responses = models.PositiveIntegerField(null=True, blank=True,
                                            help_text="How many answers or reviews the score rests on, if given.")
    source = models.CharField(max_length=64, blank=True, help_text="The system the score comes from.")
    external_id = models.CharField(max_length=128, help_text="The source's id for this row; unique per organization.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="outcome_external_id_per_org"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="outcome_period_ordered"),
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="outcome_scale_ordered"),
            models.CheckConstraint(condition=Q(score__gte=F("scale_min")) & Q(score__lte=F("scale_max")),
                                   name="outcome_score_on_scale"),
        ]
        indexes = [models.Index(fields=["organization", "metric", "period_end"])]

    def __str__(self) -> str:
        return f"{self.metric} {self.external_id}"

    @property
    def percent(self) -> float:
        """The score on 0-100."""
        return float((self.score - self.scale_min) / (self.scale_max - self.scale_min) * Decimal(100))
