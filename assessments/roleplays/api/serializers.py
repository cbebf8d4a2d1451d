"""Serializers of the role-play, instrument and empathy-growth endpoints. Serializers never save."""
from __future__ import annotations

from rest_framework import serializers

from assessments.instruments.models import Survey
from assessments.quizzes.api.serializers import MAX_ID, StrictIntegerField
from assessments.roleplays.models import Performance, ReviewAssignment, ReviewerRole, Scenario
from lms.serializers import Serializer


class ReviewPersonSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LevelSerializer(Serializer):
    points = serializers.IntegerField()
    label = serializers.CharField()
    descriptor = serializers.CharField()
    example = serializers.CharField(allow_blank=True)


class CriterionSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    weight = serializers.IntegerField()
    levels = LevelSerializer(many=True, source="levels.all")


class RubricSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    criteria = CriterionSerializer(many=True, source="criteria.all")


class RubricSummarySerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()


class OpportunitySerializer(Serializer):
    key = serializers.CharField()
    cue = serializers.CharField()


class ScenarioSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    activity_id = serializers.IntegerField()
    title = serializers.CharField(source="activity.title")
    course = serializers.CharField(source="activity.course.slug")
    persona = serializers.CharField()
    situation = serializers.CharField()
    rubric = RubricSummarySerializer()
    peer_count = serializers.IntegerField()
    review_days = serializers.IntegerField()
    pass_threshold = serializers.IntegerField()


class ScenarioDetailSerializer(ScenarioSerializer):
    opportunities = OpportunitySerializer(many=True)
    learner_instructions = serializers.CharField(allow_blank=True)
    partner_instructions = serializers.CharField(allow_blank=True)
    role_weights = serializers.DictField(child=serializers.FloatField(),
                                         help_text="Roles that count and their weights.")
    peer_aggregation = serializers.ChoiceField(choices=Scenario.PeerAggregation.choices)
    same_cohort = serializers.BooleanField()
    calibration_threshold = serializers.DecimalField(max_digits=3, decimal_places=2)
    rubric = RubricSerializer()


class PerformanceSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    scenario = serializers.IntegerField(source="scenario_id")
    scenario_title = serializers.CharField(source="scenario.activity.title")
    course = serializers.CharField(source="scenario.activity.course.slug")
    kind = serializers.ChoiceField(choices=Performance.Kind.choices)
    status = serializers.ChoiceField(choices=Performance.Status.choices)
    cohort = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField()
    final_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="0-100.")
    passed = serializers.BooleanField(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)
    peer_shortfall = serializers.IntegerField(help_text="Peers missing at allocation (the supervisor stood in).")
    fallback_reason = serializers.CharField(allow_blank=True, help_text="too_few_peers or late_peers, if any.")
    escalation_step = serializers.ChoiceField(choices=Performance.Step.choices,
                                              help_text="Who is asked now; closed once resolved.")
    resolves_by = serializers.DateTimeField(source="resolution_due_at", allow_null=True,
                                            help_text="The date by which the performance resolves, whatever happens.")
    resolution = serializers.ChoiceField(choices=Performance.Resolution.choices, allow_blank=True,
                                         help_text="Empty when scored by its reviewers; deadline when scored from "
                                                   "the reviews in by the deadline; unscored when none came.")
    resolution_reason = serializers.CharField(allow_blank=True, help_text="no_reviews or no_counting_review.")
    reviewers_counted = serializers.IntegerField(allow_null=True,
                                                 help_text="Reviews a final-by-deadline result rests on.")


class ReviewScoreSerializer(Serializer):
    criterion = StrictIntegerField(min_value=1, max_value=MAX_ID)
    points = StrictIntegerField(min_value=0, max_value=100, help_text="The points of one of the criterion's levels.")


class ReviewSerializer(Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=ReviewerRole.choices)
    reviewer = ReviewPersonSerializer(allow_null=True, help_text="Null for peers when the performer reads.")
    label = serializers.CharField()
    scores = ReviewScoreSerializer(many=True)
    comments = serializers.CharField(allow_blank=True)
    cared_for = serializers.IntegerField(allow_null=True)
    opportunity_codes = serializers.DictField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    editable_until = serializers.DateTimeField(allow_null=True)


class CriterionBreakdownSerializer(Serializer):
    criterion = serializers.IntegerField()
    title = serializers.CharField()
    peer = serializers.FloatField(allow_null=True)
    supervisor = serializers.FloatField(allow_null=True)
    combined = serializers.FloatField(allow_null=True)
    self = serializers.FloatField(allow_null=True)
    self_gap = serializers.FloatField(allow_null=True, help_text="Self minus combined (0-100 scale); not averaged in.")


class BreakdownSerializer(Serializer):
    criteria = CriterionBreakdownSerializer(many=True)
    roles = serializers.DictField(child=serializers.FloatField(), help_text="Each counting role's score (0-100).")
    role_weights = serializers.DictField(child=serializers.FloatField(), help_text="The weights applied.")
    fallback_to_supervisor = serializers.BooleanField()


class StandingSerializer(Serializer):
    escalation_step = serializers.ChoiceField(choices=Performance.Step.choices)
    reviews_received = serializers.IntegerField(help_text="Reviews in (the self-review not counted).")
    reviews_expected = serializers.IntegerField(help_text="Reviews in plus reviews still owed.")
    resolves_by = serializers.DateTimeField(allow_null=True)
    resolution = serializers.ChoiceField(choices=Performance.Resolution.choices, allow_blank=True)
    resolution_reason = serializers.CharField(allow_blank=True)
    reviewers_counted = serializers.IntegerField(allow_null=True)


class ConsentSummarySerializer(Serializer):
    version = serializers.IntegerField(help_text="The version of the consent text the performer agreed to.")
    given_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True, help_text="Set once withdrawn: the recording "
                                             "is deleted; review the transcript.")


class PerformanceDetailSerializer(PerformanceSerializer):
    standing = StandingSerializer(help_text="Where the review stands: step, reviews received of expected, "
                                            "the date it resolves by.")
    performer = ReviewPersonSerializer(allow_null=True, help_text="Null for peers and the partner.")
    transcript = serializers.CharField(allow_blank=True)
    link = serializers.CharField(allow_blank=True)
    session_reference = serializers.CharField(allow_blank=True)
    media_type = serializers.CharField(allow_blank=True)
    media_size = serializers.IntegerField()
    reviews = ReviewSerializer(many=True)
    breakdown = BreakdownSerializer(allow_null=True, help_text="For the performer and staff.")
    recording_consent = ConsentSummarySerializer(allow_null=True, help_text="The performer's consent to the "
                                                 "recording; null when none was uploaded.")


class AssignmentSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    performance = serializers.IntegerField(source="performance_id")
    scenario = serializers.IntegerField(source="performance.scenario_id")
    scenario_title = serializers.CharField(source="performance.scenario.activity.title")
    course = serializers.CharField(source="performance.scenario.activity.course.slug")
    role = serializers.ChoiceField(choices=ReviewerRole.choices)
    reason = serializers.ChoiceField(choices=ReviewAssignment.Reason.choices)
    due_at = serializers.DateTimeField()


class QueueCalibrationSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    scenario = serializers.IntegerField(source="scenario_id")
    title = serializers.CharField()


class QueueSerializer(Serializer):
    calibration = QueueCalibrationSerializer(many=True, help_text="Score these first.")
    assignments = AssignmentSerializer(many=True, help_text="What you owe, soonest deadline first.")


class CalibrationExampleSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    transcript = serializers.CharField()
    link = serializers.CharField(allow_blank=True)
    scored_by_you = serializers.BooleanField()
    expert_scores = ReviewScoreSerializer(many=True, allow_null=True, help_text="Staff only.")


class CalibrationSerializer(Serializer):
    examples = serializers.IntegerField()
    agreement = serializers.DecimalField(max_digits=5, decimal_places=4)
    weight = serializers.DecimalField(max_digits=5, decimal_places=4)
    flagged = serializers.BooleanField()


class RoundSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    cohort = serializers.CharField(allow_blank=True)
    seed = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    summary = serializers.DictField(child=serializers.IntegerField())


class AlphaSerializer(Serializer):
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha, ordinal; null when undefined.")
    ci_low = serializers.FloatField(allow_null=True, help_text="Lower end of the bootstrap 95% interval.")
    ci_high = serializers.FloatField(allow_null=True, help_text="Upper end of the bootstrap 95% interval.")
    units = serializers.IntegerField(help_text="Units with two values or more.")
    raters = serializers.IntegerField()
    values = serializers.IntegerField(help_text="Pairable values.")
    resamples = serializers.IntegerField(help_text="Bootstrap resamples where alpha was defined.")
    undefined_reason = serializers.CharField(allow_null=True, help_text="too_few_values or no_variation; null "
                                             "when alpha is defined.")
    flagged = serializers.BooleanField(help_text="A defined alpha under the threshold (never when undefined).")


class CriterionAlphaSerializer(AlphaSerializer):
    criterion = serializers.IntegerField()
    title = serializers.CharField()


class CohortAlphaSerializer(AlphaSerializer):
    kind = serializers.ChoiceField(choices=[("department", "department"), ("session", "session"),
                                            ("label", "label")])
    key = serializers.CharField(help_text="The cohort filter that selects it (department:<id>, session:<id>, "
                                "or the old label).")
    cohort = serializers.CharField(allow_blank=True, help_text="The department's or session's name, or the label.")


class BootstrapSerializer(Serializer):
    method = serializers.CharField()
    resamples = serializers.IntegerField()
    seed = serializers.IntegerField()
    confidence = serializers.FloatField()


class ReviewerLeniencySerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    units = serializers.IntegerField(help_text="Scores compared with others' on the same unit (n).")
    leniency = serializers.FloatField(allow_null=True, help_text="Mean points above (+) or below (-) the others.")
    tendency = serializers.CharField(allow_null=True, help_text="lenient, severe or in_line (beyond "
                                     "leniency_margin points).")
    calibration_weight = serializers.FloatField(allow_null=True)
    calibration_flagged = serializers.BooleanField(allow_null=True)
    live_agreement = serializers.FloatField(allow_null=True, help_text="Agreement with supervisors on live work.")


class AgreementSerializer(Serializer):
    rubric = RubricSummarySerializer(source="rubric_obj")
    threshold = serializers.FloatField()
    leniency_margin = serializers.FloatField()
    bootstrap = BootstrapSerializer()
    overall = AlphaSerializer()
    criteria = CriterionAlphaSerializer(many=True)
    cohorts = CohortAlphaSerializer(many=True)
    reviewers = ReviewerLeniencySerializer(many=True)


class InstrumentItemSerializer(Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    reverse = serializers.BooleanField()
    subscale = serializers.CharField(allow_blank=True)


class InstrumentSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    instructions = serializers.CharField(allow_blank=True)
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    scale_labels = serializers.DictField(child=serializers.CharField())
    allow_na = serializers.BooleanField()
    scoring = serializers.CharField()
    max_missing = serializers.IntegerField()
    licence = serializers.CharField(allow_blank=True)
    organization = serializers.CharField(source="organization.slug", allow_null=True,
                                         help_text="The owning organization's slug; null for ours.")
    items = InstrumentItemSerializer(many=True, source="items.all")


class ResponseSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    answers = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    missing = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True,
                                     help_text="Null when too many answers are missing.")
    subscale_scores = serializers.DictField(child=serializers.CharField(allow_null=True))
    submitted_at = serializers.DateTimeField()


class SurveySerializer(Serializer):
    activity_id = serializers.IntegerField()
    timing = serializers.ChoiceField(choices=Survey.Timing.choices)
    open = serializers.BooleanField(help_text="Whether you can answer now.")
    instrument = InstrumentSerializer()
    response = ResponseSerializer(allow_null=True, help_text="Your answers, once given.")


SUPPRESSION_REASONS = [("primary", "primary"), ("complementary", "complementary")]
SUPPRESSION_HELP = ("Why the figures are hidden: primary (fewer than 5 people) or complementary (hidden so that a "
                    "primary group cannot be recovered from the total and the other groups); null when shown.")


class InstrumentBlockSerializer(Serializer):
    suppressed = serializers.BooleanField(help_text="No figures: fewer than 5 people, or hidden so that no small "
                                                    "group can be recovered by subtraction.")
    suppression = serializers.ChoiceField(choices=SUPPRESSION_REASONS, allow_null=True, help_text=SUPPRESSION_HELP)
    n = serializers.IntegerField(allow_null=True, help_text="Paired n.")
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    mean_difference = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="95% confidence interval (t distribution).")
    ci_high = serializers.FloatField(allow_null=True)
    cohens_dz = serializers.FloatField(allow_null=True)


class RubricBlockSerializer(Serializer):
    suppressed = serializers.BooleanField()
    suppression = serializers.ChoiceField(choices=SUPPRESSION_REASONS, allow_null=True, help_text=SUPPRESSION_HELP)
    n = serializers.IntegerField(allow_null=True)
    mean_first = serializers.FloatField(allow_null=True)
    mean_last = serializers.FloatField(allow_null=True)
    normalized_gain = serializers.FloatField(allow_null=True, help_text="(last - first) / (100 - first).")


class GrowthGroupSerializer(Serializer):
    course = serializers.CharField()
    course_title = serializers.CharField()
    dimension = serializers.ChoiceField(choices=[("course", "course"), ("cohort", "cohort"),
                                                 ("department", "department")])
    group = serializers.CharField(allow_null=True, help_text="The cohort or department; null for none.")
    instrument = InstrumentBlockSerializer()
    rubric = RubricBlockSerializer()


class EmpathyGrowthSerializer(Serializer):
    min_group_size = serializers.IntegerField()
    confidence = serializers.FloatField()
    groups = GrowthGroupSerializer(many=True)
