"""Output serializers shared by the quiz API views (and the JSON document's schema). Serializers never save."""
from __future__ import annotations

from rest_framework import serializers

from assessments.quizzes import item_analysis
from assessments.quizzes.models import Attempt, Question, Quiz
from lms.serializers import Serializer


class StrictIntegerField(serializers.IntegerField):
    """An integer that arrived as a JSON number: "12", 12.0 and true are rejected, not coerced."""

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class LearnerSerializer(Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class LearnerQuizStateSerializer(Serializer):
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="Null when attempts are unlimited.")
    best_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField()
    open_attempt = serializers.IntegerField(allow_null=True, help_text="The attempt to resume, if one is open.")


class QuizSerializer(Serializer):
    activity_id = serializers.IntegerField()
    title = serializers.CharField()
    course = serializers.CharField(help_text="The course's slug.")
    module = serializers.CharField()
    required = serializers.BooleanField()
    instructions = serializers.CharField(allow_blank=True)
    passing_score = serializers.IntegerField()
    max_attempts = serializers.IntegerField(allow_null=True, help_text="Null = unlimited.")
    time_limit_seconds = serializers.IntegerField(allow_null=True, help_text="Null = no time limit.")
    submit_grace_seconds = serializers.IntegerField(help_text="A submit this late after the deadline still counts.")
    questions_per_attempt = serializers.IntegerField(allow_null=True, help_text="Pool draw; null = all questions.")
    question_count = serializers.IntegerField(help_text="Questions one attempt shows.")
    shuffle_questions = serializers.BooleanField()
    shuffle_choices = serializers.BooleanField()
    reveal_answers = serializers.ChoiceField(choices=Quiz.Reveal.choices)
    you = LearnerQuizStateSerializer(allow_null=True, help_text="Your attempts; null when you are not enrolled.")


class AttemptSerializer(Serializer):
    id = serializers.IntegerField()
    activity_id = serializers.IntegerField()
    quiz_title = serializers.CharField()
    course = serializers.CharField()
    learner = LearnerSerializer()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attempt.Status.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    max_points = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="0-100.")
    passed = serializers.BooleanField(allow_null=True)


class AttemptChoiceSerializer(Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    correct = serializers.BooleanField(allow_null=True, help_text="Null until the answers are revealed.")
    feedback = serializers.CharField(allow_null=True)


class AttemptResponseSerializer(Serializer):
    choices = serializers.ListField(child=serializers.IntegerField())
    text = serializers.CharField(allow_blank=True)


class AttemptResultSerializer(Serializer):
    correct = serializers.BooleanField()
    points = serializers.DecimalField(max_digits=7, decimal_places=2)
    accepted_answers = serializers.ListField(child=serializers.CharField())
    feedback = serializers.CharField(allow_blank=True)


class AttemptQuestionSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField()
    points = serializers.IntegerField()
    choices = AttemptChoiceSerializer(many=True)
    answer = AttemptResponseSerializer(allow_null=True, help_text="What was submitted; null before submission.")
    result = AttemptResultSerializer(allow_null=True, help_text="Null until the answers are revealed.")


class AttemptDetailSerializer(AttemptSerializer):
    answers_revealed = serializers.BooleanField()
    questions = AttemptQuestionSerializer(many=True, help_text="In the order this attempt shows them.")


class QuestionStatisticsSerializer(Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField()
    points = serializers.IntegerField()
    shown = serializers.IntegerField(help_text="Submitted attempts that showed the question.")
    answered = serializers.IntegerField()
    correct = serializers.IntegerField(help_text="Fully right.")
    partial = serializers.IntegerField(help_text="Partly right (multiple choice).")
    correct_rate = serializers.FloatField(allow_null=True, help_text="correct / shown; low values flag confusion.")
    average_points = serializers.FloatField(allow_null=True)


class QuizStatisticsSerializer(Serializer):
    activity_id = serializers.IntegerField()
    attempts = serializers.IntegerField(help_text="Submitted attempts.")
    learners = serializers.IntegerField()
    passed = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)
    questions = QuestionStatisticsSerializer(many=True)


class ReportChoiceSerializer(Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    correct = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Attempts that picked this choice.")
    share = serializers.FloatField(allow_null=True, help_text="count / attempts that showed the question.")
    upper_count = serializers.IntegerField(help_text="Attempts of the upper 27% group that picked it.")


class ReportQuestionSerializer(Serializer):
    id = serializers.IntegerField()
    prompt = serializers.CharField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    points = serializers.IntegerField()
    attempts = serializers.IntegerField(help_text="Attempts that showed the question.")
    answered = serializers.IntegerField()
    difficulty = serializers.FloatField(allow_null=True, help_text="Mean share of the points earned (0-1).")
    correct_share = serializers.FloatField(allow_null=True, help_text="Share of attempts exactly right.")
    point_biserial = serializers.FloatField(allow_null=True,
                                            help_text="Correlation of the item score with the rest score.")
    upper_lower_index = serializers.FloatField(allow_null=True,
                                               help_text="Difficulty in the top 27% minus in the bottom 27%.")
    group_size = serializers.IntegerField(help_text="Attempts in each of the upper and lower groups.")
    choices = ReportChoiceSerializer(many=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=item_analysis.FLAGS))


class QuizReportSerializer(Serializer):
    activity_id = serializers.IntegerField()
    title = serializers.CharField()
    basis = serializers.ChoiceField(choices=["first_attempt"],
                                    help_text="Which attempts count: each learner's first submitted one.")
    attempts = serializers.IntegerField()
    flagged = serializers.IntegerField(help_text="Questions with at least one flag.")
    questions = ReportQuestionSerializer(many=True)


class DocumentChoiceSerializer(Serializer):
    text = serializers.CharField(max_length=1000)
    correct = serializers.BooleanField()
    feedback = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class DocumentQuestionSerializer(Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField(max_length=5000)
    points = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    choices = DocumentChoiceSerializer(many=True, required=False, help_text="Choice kinds: 2-20 choices.")
    accepted_answers = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                             help_text="Short text: compared ignoring case and spacing.")
    correct = serializers.BooleanField(required=False, help_text="True/false shorthand instead of choices.")


class QuizDocumentSerializer(Serializer):
    """The import/export format (version 1)."""

    format = serializers.ChoiceField(choices=["empathy-lms/quiz"])
    version = serializers.ChoiceField(choices=[1])
    title = serializers.CharField(required=False, help_text="Informational; the activity keeps its title.")
    instructions = serializers.CharField(required=False, allow_blank=True)
    passing_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    max_attempts = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    time_limit_seconds = serializers.IntegerField(min_value=10, max_value=7 * 24 * 3600, required=False,
                                                  allow_null=True, help_text="At most a week (604800).")
    shuffle_questions = serializers.BooleanField(required=False)
    shuffle_choices = serializers.BooleanField(required=False)
    questions_per_attempt = serializers.IntegerField(min_value=1, max_value=500, required=False, allow_null=True)
    reveal_answers = serializers.ChoiceField(choices=Quiz.Reveal.choices, required=False)
    questions = DocumentQuestionSerializer(many=True)


MAX_ID = 999_999_999_999_999_999


class SubmittedAnswerSerializer(Serializer):
    """One answer: ``{"question": id, "choices": [ids]}`` or ``{"question": id, "text": "..."}``."""

    question = StrictIntegerField(min_value=1, max_value=MAX_ID)
    choices = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=MAX_ID), max_length=20,
                                    required=False, help_text="Choice questions: the picked choice ids.")
    text = serializers.CharField(max_length=1000, required=False, allow_blank=True, trim_whitespace=False,
                                 help_text="Short-text questions.")

    def validate(self, attrs):
        if "choices" in attrs and "text" in attrs:
            raise serializers.ValidationError("Send either 'choices' or 'text'.")
        return attrs
