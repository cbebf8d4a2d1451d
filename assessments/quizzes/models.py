"""Quizzes: a quiz belongs to a quiz activity; attempts belong to an enrollment.

An attempt stores what it showed (``layout``: the drawn questions in order, each with its choices
in order) and its seed, so the order a learner saw is stable for the attempt and can be audited.
Each submitted attempt has one ``AttemptAnswer`` per question it showed, answered or not; the
per-question statistics are aggregates over those rows.
"""
from __future__ import annotations

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import now

from courses.catalog.models import Activity
from courses.enrollments.models import Enrollment

# Network latency between the learner's last click and the request reaching us: a submit this
# late after the deadline is still accepted.
SUBMIT_GRACE = timedelta(seconds=5)


class Quiz(models.Model):
    class Reveal(models.TextChoices):
        NEVER = "never", "Never"
        AFTER_SUBMISSION = "after_submission", "After each submission"
        AFTER_PASSING_OR_LAST = "after_passing_or_last", "After passing or the last attempt"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="quiz")
    instructions = models.TextField(blank=True, max_length=5000)
    passing_score = models.PositiveSmallIntegerField(default=70, validators=[MaxValueValidator(100)],
                                                     help_text="Score (0-100) an attempt needs to pass.")
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)],
                                                    help_text="Empty = unlimited.")
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(10)],
                                                     help_text="Empty = no time limit. Enforced on the server.")
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    questions_per_attempt = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Question pool: draw this many of the quiz's questions per attempt. Empty = all.",
    )
    reveal_answers = models.CharField(max_length=32, choices=Reveal.choices, default=Reveal.AFTER_SUBMISSION,
                                      help_text="When a learner sees the correct answers and feedback.")
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(condition=Q(passing_score__lte=100), name="quiz_passing_score_range"),
            models.CheckConstraint(condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                                   name="quiz_max_attempts_positive"),
            models.CheckConstraint(condition=Q(questions_per_attempt__isnull=True) | Q(questions_per_attempt__gte=1),
                                   name="quiz_pool_draw_positive"),
        ]

    def __str__(self) -> str:
        return self.activity.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        TRUE_FALSE = "true_false", "True/false"
        SHORT_TEXT = "short_text", "Short text"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SINGLE_CHOICE)
    prompt = models.TextField(max_length=5000)
    points = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(100)])
    feedback = models.TextField(blank=True, max_length=5000, help_text="Explanation shown when answers are revealed.")
    accepted_answers = models.JSONField(default=list, blank=True,
                                        help_text="Short text: the accepted answers (case and spacing ignored).")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1) & Q(points__lte=100), name="question_points_range"),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]

    @property
    def has_choices(self) -> bool:
        return self.kind != self.Kind.SHORT_TEXT


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=1000)
    is_correct = models.BooleanField(default=False)
    feedback = models.CharField(max_length=1000, blank=True, help_text="Shown beside this choice when revealed.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Expired"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveIntegerField(help_text="1 for the learner's first attempt at this quiz, and so on.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    seed = models.BigIntegerField(help_text="Seeds the draw and the shuffles of this attempt.")
    layout = models.JSONField(default=list, help_text='[{"question": id, "choices": [ids]}], in the order shown.')
    started_at = models.DateTimeField(default=now)
    deadline = models.DateTimeField(null=True, blank=True, help_text="Empty = no time limit.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_points = models.PositiveIntegerField(default=0)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "enrollment", "number"], name="attempt_number_unique"),
            models.UniqueConstraint(fields=["quiz", "enrollment"], condition=Q(status="in_progress"),
                                    name="attempt_one_open_per_learner"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="attempt_score_range"
            ),
            models.CheckConstraint(condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                                   name="attempt_submitted_has_timestamp"),
        ]
        indexes = [models.Index(fields=["enrollment", "quiz"])]

    def __str__(self) -> str:
        return f"Attempt {self.number} at {self.quiz_id} by enrollment {self.enrollment_id}"

    def is_past_deadline(self, at=None) -> bool:
        """Past the deadline and its grace: too late to submit."""
        return self.deadline is not None and (at or timezone.now()) > self.deadline + SUBMIT_GRACE

    @property
    def effective_status(self) -> str:
        """An open attempt whose time ran out reads as expired before anything closes it."""
        if self.status == self.Status.IN_PROGRESS and self.is_past_deadline():
            return self.Status.EXPIRED
        return self.status


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choices = models.JSONField(default=list, blank=True, help_text="Ids of the picked choices.")
    text = models.CharField(max_length=1000, blank=True)
    answered = models.BooleanField(default=False)
    is_correct = models.BooleanField(default=False)
    points = models.DecimalField(max_digits=7, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}: {self.points}"
