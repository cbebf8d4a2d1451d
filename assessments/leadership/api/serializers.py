"""Serializers of the 360° feedback endpoints. None of them has a field for a rater's answers."""
from __future__ import annotations

from rest_framework import serializers

from assessments.leadership.behaviours import BEHAVIOUR_KEYS, SCALE
from assessments.quizzes.api.serializers import MAX_ID, StrictIntegerField
from lms.serializers import Serializer

MAX_NAME = 200


class FigureSerializer(Serializer):
    key = serializers.CharField()
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.ListField(child=serializers.IntegerField(), min_length=len(SCALE),
                                         max_length=len(SCALE), help_text="Answers per scale point, 1 to 5.")


class GroupSerializer(Serializer):
    source = serializers.CharField(help_text="team, peer, manager, or others (all of them together).")
    withheld = serializers.BooleanField(help_text="True when fewer answers than the cycle's minimum (or a "
                                                  "complement): nothing of the group is shown.")
    n = serializers.IntegerField(allow_null=True)
    behaviours = FigureSerializer(many=True)


def group_data(group) -> dict:
    return {"source": group.key, "withheld": group.withheld, "n": group.n,
            "behaviours": [{"key": key, "mean": figure.mean,
                            "distribution": [figure.distribution[point] for point in SCALE]}
                           for key, figure in group.behaviours.items()]}


class CycleSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    organization = serializers.SlugField(source="organization.slug")
    name = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    minimum_raters = serializers.IntegerField()
    state = serializers.CharField()
    closed = serializers.BooleanField()
    subjects = serializers.IntegerField(source="subject_count")


class ParticipationSerializer(Serializer):
    source = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()


class CycleDetailSerializer(Serializer):
    cycle = CycleSerializer()
    participation = ParticipationSerializer(many=True)
    organization_results = GroupSerializer(many=True, help_text="Every subject's others together, by source, "
                                                                "under the disclosure rule; empty until the "
                                                                "cycle closes.")


class CycleCreateSerializer(Serializer):
    organization = serializers.SlugField()
    name = serializers.CharField(max_length=MAX_NAME)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    minimum_raters = StrictIntegerField(required=False, min_value=2, max_value=50)
    managers = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                     max_length=500, help_text="Membership ids of managers with a team.")
    peers = serializers.BooleanField(default=False, help_text="Invite the managers' peers (same manager).")
    own_manager = serializers.BooleanField(default=True)
    self_rating = serializers.BooleanField(default=True)


class ManagerSerializer(Serializer):
    membership_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.get_full_name")
    email = serializers.EmailField(source="user.email")


class BehaviourSerializer(Serializer):
    key = serializers.CharField()
    theme = serializers.CharField()
    text = serializers.CharField()


class InvitationSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    cycle = serializers.CharField(source="subject.cycle.name")
    closes_on = serializers.DateField(source="subject.cycle.closes_on")
    subject_name = serializers.CharField(source="subject.membership.user.get_full_name")
    source = serializers.CharField()
    answered = serializers.BooleanField()
    minimum_raters = serializers.IntegerField(source="subject.cycle.minimum_raters",
                                              help_text="Your answers are combined with at least this many from "
                                                        "the same group; fewer and nothing is shown.")


class InvitationListSerializer(Serializer):
    scale = serializers.ListField(child=serializers.IntegerField())
    behaviours = BehaviourSerializer(many=True)
    invitations = InvitationSerializer(many=True)


class AnswerSerializer(Serializer):
    answers = serializers.DictField(child=StrictIntegerField(min_value=SCALE[0], max_value=SCALE[-1]),
                                    help_text=f"{{behaviour key: 1..5}} for every key: {', '.join(BEHAVIOUR_KEYS)}.")

    def validate_answers(self, value):
        if len(value) > len(BEHAVIOUR_KEYS):
            raise serializers.ValidationError(f"At most {len(BEHAVIOUR_KEYS)} answers.")
        return value


class SelfGapSerializer(Serializer):
    key = serializers.CharField()
    own = serializers.IntegerField(allow_null=True)
    gap = serializers.FloatField(allow_null=True, help_text="Your answer minus the others' mean.")
    change = serializers.FloatField(allow_null=True, help_text="The others' mean minus the previous cycle's.")


class MyResultSerializer(Serializer):
    cycle = serializers.CharField()
    cycle_id = serializers.IntegerField()
    closes_on = serializers.DateField()
    minimum_raters = serializers.IntegerField()
    previous_cycle = serializers.CharField(allow_null=True)
    groups = GroupSerializer(many=True)
    behaviours = SelfGapSerializer(many=True)


def my_result_data(report) -> dict:
    cycle = report.subject.cycle
    own = report.self_answers or {}
    return {"cycle": cycle.name, "cycle_id": cycle.pk, "closes_on": cycle.closes_on,
            "minimum_raters": cycle.minimum_raters,
            "previous_cycle": report.previous_cycle.name if report.previous_cycle else None,
            "groups": [group_data(group) for group in report.groups],
            "behaviours": [{"key": key, "own": own.get(key), "gap": report.gaps[key], "change": report.changes[key]}
                           for key in BEHAVIOUR_KEYS]}
