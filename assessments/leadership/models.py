"""360° feedback on leaders: cycles, the managers rated in them, invitations and the anonymous responses.

Anonymity is built into the tables: a ``LeadershipResponse`` names its subject, cycle and source, never its
rater, and carries no time of its own; a ``LeadershipInvitation`` only records *that* it was answered (no
time either, so the order of answers cannot be matched to the order of responses). Both are written in one
transaction, so an invitation is answered exactly once.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from lms.models import Membership, Organization


class RaterSource(models.TextChoices):
    SELF = "self", "Self"
    TEAM = "team", "Team"
    PEER = "peer", "Peer"
    MANAGER = "manager", "Own manager"


OTHER_SOURCES = (RaterSource.TEAM, RaterSource.PEER, RaterSource.MANAGER)


class LeadershipCycle(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="leadership_cycles")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    minimum_raters = models.PositiveSmallIntegerField(
        help_text="Fewest answers from one source (team, peers, own manager) before anything of it is shown.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["organization_id", "-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="leadership_cycle_dates_ordered"),
            models.CheckConstraint(condition=models.Q(minimum_raters__gte=2), name="leadership_cycle_minimum_2"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"


class LeadershipSubject(models.Model):
    """A manager rated in a cycle."""

    cycle = models.ForeignKey(LeadershipCycle, on_delete=models.CASCADE, related_name="subjects")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="leadership_subjects")

    class Meta:
        ordering = ["cycle_id", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "membership"], name="leadership_subject_unique")]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.cycle.name}"


class LeadershipInvitation(models.Model):
    """A rater asked to rate a subject. ``answered`` is all it keeps of the answer."""

    subject = models.ForeignKey(LeadershipSubject, on_delete=models.CASCADE, related_name="invitations")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="leadership_invitations")
    source = models.CharField(max_length=8, choices=RaterSource.choices)
    answered = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject_id", "id"]
        constraints = [models.UniqueConstraint(fields=["subject", "rater"], name="leadership_invitation_unique")]
        indexes = [models.Index(fields=["rater", "answered"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} invitation for {self.subject}"


class LeadershipResponse(models.Model):
    """One rater's answers, without the rater: {behaviour key: 1..5}. Never shown one by one."""

    subject = models.ForeignKey(LeadershipSubject, on_delete=models.CASCADE, related_name="responses")
    source = models.CharField(max_length=8, choices=RaterSource.choices)
    answers = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["subject", "source"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} response"
