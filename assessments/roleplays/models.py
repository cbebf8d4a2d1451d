"""Role-plays: versioned rubrics, scenarios, performances, review assignments, reviews, calibration.

A rubric version is frozen once a review has scored against it: its criteria, levels and weights
never change afterwards (``services.rubric_new_version`` copies it instead), so every past score
stays explainable. A review stores the points of the level it picked for each criterion.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from courses.catalog.models import Activity
from courses.enrollments.models import Enrollment
from lms.models import Organization


class Rubric(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="rubrics", help_text="Empty for a rubric every organization uses.")
    slug = models.SlugField(max_length=80, help_text="Shared by every version of the rubric.")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 help_text="The version this one was copied from.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="rubric_slug_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=64)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(100)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["rubric", "key"], name="criterion_key_unique_per_rubric"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Level(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    points = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    label = models.CharField(max_length=100)
    descriptor = models.TextField(max_length=2000)
    example = models.CharField(max_length=1000, blank=True, help_text="An utterance that shows this level.")

    class Meta:
        ordering = ["points", "id"]
        constraints = [models.UniqueConstraint(fields=["criterion", "points"], name="level_points_unique")]

    def __str__(self) -> str:
        return f"{self.points} {self.label}"


class ReviewerRole(models.TextChoices):
    SELF = "self", "Self"
    PEER = "peer", "Peer"
    SUPERVISOR = "supervisor", "Supervisor or instructor"
    PARTNER = "partner", "Role-play partner (as the customer)"
    EXPERT = "expert", "Expert (calibration reference)"


class Scenario(models.Model):
    class PeerAggregation(models.TextChoices):
        MEDIAN = "median", "Median of the peers"
        CALIBRATED_MEAN = "calibrated_mean", "Mean weighted by calibration"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="scenario")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="scenarios")
    persona = models.TextField(max_length=3000, help_text="Who the customer is.")
    situation = models.TextField(max_length=5000)
    opportunities = models.JSONField(default=list, blank=True, help_text='Empathic opportunities the customer '
                                     'presents: [{"key": "...", "cue": "..."}].')
    learner_instructions = models.TextField(blank=True, max_length=5000)
    partner_instructions = models.TextField(blank=True, max_length=5000)
    role_weights = models.JSONField(default=dict, help_text='Weights of the roles that count, e.g. '
                                    '{"peer": 1, "supervisor": 1, "partner": 0}. Self never counts.')
    peer_aggregation = models.CharField(max_length=20, choices=PeerAggregation.choices,
                                        default=PeerAggregation.MEDIAN)
    peer_count = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(10)])
    review_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)],
                                                   help_text="Days reviewers have to submit.")
    same_cohort = models.BooleanField(default=False, help_text="Peers come from the performer's cohort only.")
    pass_threshold = models.PositiveSmallIntegerField(default=60, validators=[MaxValueValidator(100)])
    calibration_threshold = models.DecimalField(max_digits=3, decimal_places=2, default=0.7,
                                                validators=[MinValueValidator(0), MaxValueValidator(1)],
                                                help_text="Reviewers whose agreement is under this are flagged.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pass_threshold__lte=100), name="scenario_pass_threshold_range"),
            models.CheckConstraint(condition=Q(peer_count__gte=1), name="scenario_peer_count_positive"),
        ]

    def __str__(self) -> str:
        return self.activity.title

    def weight_of(self, role: str) -> float:
        return float(self.role_weights.get(role, 0) or 0)


class Performance(models.Model):
    """A learner's attempt at a scenario, or (``is_reference``) an instructor's calibration example."""

    class Kind(models.TextChoices):
        TRANSCRIPT = "transcript", "Transcript"
        MEDIA = "media", "Audio or video file"
        LINK = "link", "Link"
        LIVE = "live", "Live, during a workshop session"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for reviewers"
        IN_REVIEW = "in_review", "In review"
        SCORED = "scored", "Scored"
        UNSCORED = "unscored", "Closed without a score"

    class Step(models.TextChoices):
        """Who is asked now; see ``assessments.roleplays.escalation`` for the chain and its deadlines."""
        PEERS = "peers", "Peers"
        SUPERVISOR = "supervisor", "Supervisor"
        INSTRUCTORS = "instructors", "Instructors of the course"
        ADMINS = "admins", "Organization admins"
        CLOSED = "closed", "Closed"

    class Resolution(models.TextChoices):
        REVIEWED = "", "Scored by its reviewers"
        DEADLINE = "deadline", "Final by deadline, from the reviews that came in"
        UNSCORED = "unscored", "Unscored: no review came in by the deadline"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="performances")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="roleplay_performances")
    is_reference = models.BooleanField(default=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    transcript = models.TextField(blank=True, max_length=50_000)
    media = models.FileField(upload_to="roleplays/", blank=True)
    media_type = models.CharField(max_length=40, blank=True, editable=False)
    media_size = models.PositiveBigIntegerField(default=0, editable=False)
    link = models.URLField(max_length=500, blank=True)
    session_reference = models.CharField(max_length=100, blank=True,
                                         help_text="The workshop session of a live performance.")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", help_text="Who played the customer.")
    cohort = models.CharField(max_length=100, blank=True, help_text="Cohort label; peers may be limited to it.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=now)
    peer_shortfall = models.PositiveSmallIntegerField(default=0, help_text="Peers missing at allocation.")
    fallback_reason = models.CharField(max_length=32, blank=True,
                                       help_text="Why the review fell to the supervisor, if it did.")
    fallback_at = models.DateTimeField(null=True, blank=True)
    escalation_step = models.CharField(max_length=16, choices=Step.choices, default=Step.PEERS)
    step_due_at = models.DateTimeField(null=True, blank=True, help_text="When the chain moves to its next step.")
    resolution_due_at = models.DateTimeField(null=True, blank=True,
                                             help_text="The date by which the performance resolves, whatever happens.")
    resolution = models.CharField(max_length=16, choices=Resolution.choices, default=Resolution.REVIEWED, blank=True)
    resolution_reason = models.CharField(max_length=32, blank=True, help_text="Why it closed unscored.")
    reviewers_counted = models.PositiveSmallIntegerField(null=True, blank=True,
                                                         help_text="Reviews the final-by-deadline score rests on.")
    final_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(is_reference=True, enrollment__isnull=True) |
                                   Q(is_reference=False, enrollment__isnull=False),
                                   name="performance_reference_xor_enrollment"),
            models.CheckConstraint(condition=Q(final_score__isnull=True) |
                                   (Q(final_score__gte=0) & Q(final_score__lte=100)),
                                   name="performance_score_range"),
        ]
        indexes = [models.Index(fields=["scenario", "status"]), models.Index(fields=["status", "step_due_at"])]

    def __str__(self) -> str:
        return f"Performance {self.pk} of {self.scenario_id}"

    @property
    def has_recording(self) -> bool:
        """A recording under the performer's consent: a file kept here, or a link to one kept elsewhere."""
        return bool(self.media or self.link)


class AllocationRound(models.Model):
    """One run of peer allocation over a scenario's waiting performances (of one cohort, if given)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="rounds")
    cohort = models.CharField(max_length=100, blank=True)
    seed = models.BigIntegerField()
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Round {self.pk} of {self.scenario_id}"


class ReviewAssignment(models.Model):
    """A review someone owes, by when. Fallback and reassignment are recorded here, never silent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        EXPIRED = "expired", "Expired (late)"
        REASSIGNED = "reassigned", "Reassigned"

    class Reason(models.TextChoices):
        ALLOCATED = "allocated", "Peer allocation"
        ROLE = "role", "The scenario asks for this role"
        TOO_FEW_PEERS = "too_few_peers", "Fallback: too few peers"
        LATE_PEERS = "late_peers", "Fallback: peers late"
        ESCALATED = "escalated", "Escalation: earlier reviewers late or missing"
        REASSIGNED = "reassigned", "Reassigned"

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments")
    role = models.CharField(max_length=16, choices=ReviewerRole.choices)
    round = models.ForeignKey(AllocationRound, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="assignments")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.ALLOCATED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "reviewer", "role"], condition=~Q(status="reassigned"),
                                    name="assignment_once_per_reviewer_role"),
        ]
        indexes = [models.Index(fields=["reviewer", "status"]), models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.reviewer} owes {self.role} review of {self.performance_id}"


class Review(models.Model):
    class Coding(models.TextChoices):
        DISMISSED = "dismissed", "Dismissed"
        PERFUNCTORY = "perfunctory", "Perfunctory"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        EXPLORED = "explored", "Explored"
        CONFIRMED = "confirmed", "Confirmed"

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="reviews")
    # Null once the reviewer asked to be erased: the review stays, anonymous (lms/privacy).
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="roleplay_reviews")
    role = models.CharField(max_length=16, choices=ReviewerRole.choices)
    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="review")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    comments = models.TextField(blank=True, max_length=5000)
    cared_for = models.PositiveSmallIntegerField(null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(5)],
                                                 help_text="The partner's 1-5 rating of how cared-for they felt.")
    opportunity_codes = models.JSONField(default=dict, blank=True, help_text="{opportunity key: coding}.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "reviewer", "role"], name="review_once_per_role"),
            models.CheckConstraint(condition=Q(cared_for__isnull=True) | (Q(cared_for__gte=1) & Q(cared_for__lte=5)),
                                   name="review_cared_for_range"),
        ]

    def __str__(self) -> str:
        return f"{self.role} review of {self.performance_id} by {self.reviewer_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.points}"


class CalibrationExample(models.Model):
    """A reference performance with the experts' scores (its ``expert`` review); reviewers score it first."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="calibration_examples")
    performance = models.OneToOneField(Performance, on_delete=models.CASCADE, related_name="calibration")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ReviewerCalibration(models.Model):
    """A reviewer's agreement with the experts on a scenario's examples, and the weight it earns."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="calibrations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    examples = models.PositiveIntegerField(default=0)
    agreement = models.DecimalField(max_digits=5, decimal_places=4)
    weight = models.DecimalField(max_digits=5, decimal_places=4)
    flagged = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=now)
    live_agreement = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                         help_text="Agreement with the supervisors' scores on learners' work.")
    live_pairs = models.PositiveIntegerField(default=0, help_text="Criterion scores compared with a supervisor's.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "reviewer"], name="calibration_once_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on {self.scenario_id}: {self.weight}"


class RecordingConsent(models.Model):
    """A learner's consent to keep the recording of one performance: the version of the consent text
    (``assessments.roleplays.consent``) they agreed to and when; ``withdrawn_at`` once they took it back,
    which deleted the recording (the transcript and the reviews stay)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recording_consents")
    performance = models.OneToOneField(Performance, on_delete=models.CASCADE, related_name="recording_consent")
    version = models.PositiveSmallIntegerField(help_text="The version of the consent text agreed to.")
    given_at = models.DateTimeField(default=now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="recording_consent_version_positive"),
            models.CheckConstraint(condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                                   name="recording_consent_withdrawn_after_given"),
        ]
        indexes = [models.Index(fields=["user", "given_at"])]

    def __str__(self) -> str:
        return f"Recording consent v{self.version} of {self.user_id} for {self.performance_id}"
