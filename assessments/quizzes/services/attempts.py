"""Taking a quiz: start (or resume) an attempt, submit it once, grade it on the server.

Rules:
- Who: a learner with an active or completed enrollment in the quiz's course.
- Start: an open attempt whose time has not run out is resumed (the same questions in the same
  order; ``created`` is False). Otherwise a new attempt is numbered after the learner's previous
  ones, unless ``max_attempts`` are used up (409 ``max_attempts_reached``; an attempt left to
  expire counts as used). The attempt draws ``questions_per_attempt`` of the quiz's questions
  without repeats (all of them when the pool is smaller), shuffles questions and choices when
  the quiz says so, and stores the order and its seed, so the attempt shows the same order every
  time and can be audited. True/false choices keep their order.
- Extensions: a course manager may grant one learner extra attempts or more minutes on a quiz
  (``courses.enrollments.services.gradebook.extension_grant``); they add to ``max_attempts`` and to
  ``time_limit_seconds`` (a quiz without a limit stays without one).
- Time limit: the deadline is start + ``time_limit_seconds``; a submit is accepted until
  ``SUBMIT_GRACE`` (5 seconds, for network latency) after it. Later: 409 ``attempt_expired`` and
  nothing is recorded; the attempt closes as expired when the learner next starts one.
- Submit: each answer names a question of the attempt once; choices must be the question's own
  (one at most for single choice and true/false); text goes to short-text questions only.
  Otherwise 400 and nothing is recorded. Unanswered questions earn 0. Grading follows
  ``assessments.quizzes.grading``. The score (0-100) goes to ``courses.enrollments.services.activity_record_result``
  with ``passed = score >= passing_score``; the best attempt counts (a later, lower attempt never
  lowers the recorded result).
- A second submit of a submitted attempt returns the same result and writes nothing (the row is
  locked while the first one grades).
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeGuard

from django.db import transaction
from django.utils import timezone

from assessments.errors import AssessmentErrorCode
from assessments.quizzes import grading
from assessments.quizzes.errors import AnswerError, AttemptConflict, QuizErrorCode, QuizNotFound
from assessments.quizzes.models import Attempt, AttemptAnswer, Question, Quiz
from assessments.quizzes.services.xapi import attempt_statements_record
from courses.enrollments import services as course_services
from courses.enrollments.models import Enrollment
from courses.enrollments.selectors.gradebook import extension_allowance

MAX_ANSWERS = 500
TAKING = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def draw_layout(questions: Sequence[Question], *, quiz: Quiz, seed: int) -> list[dict[str, Any]]:
    """The questions an attempt shows, in order, each with its choice ids in order (deterministic in ``seed``)."""
    rng = random.Random(seed)
    ordered = sorted(questions, key=lambda q: (q.position, q.pk))
    wanted = quiz.questions_per_attempt
    if wanted and wanted < len(ordered):
        drawn = rng.sample(ordered, wanted)
        if not quiz.shuffle_questions:
            drawn.sort(key=lambda q: (q.position, q.pk))
    else:
        drawn = list(ordered)
        if quiz.shuffle_questions:
            rng.shuffle(drawn)
    layout = []
    for question in drawn:
        choice_ids = [c.pk for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))]
        if quiz.shuffle_choices and question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            rng.shuffle(choice_ids)
        layout.append({"question": question.pk, "choices": choice_ids})
    return layout


def attempt_start(*, quiz: Quiz, enrollment: Enrollment) -> tuple[Attempt, bool]:
    """Start a new attempt, or resume the open one. Returns (attempt, created)."""
    if enrollment.course_id != quiz.activity.course_id:
        raise QuizNotFound("No such quiz in this enrollment's course.")
    now = timezone.now()
    with transaction.atomic():
        # The enrollment row serialises one learner's starts: two tabs cannot both take attempt 3.
        status = Enrollment.objects.select_for_update().filter(pk=enrollment.pk).values_list("status", flat=True)
        if next(iter(status), None) not in TAKING:
            raise AttemptConflict("Enroll in the course to take this quiz.",
                                  code=AssessmentErrorCode.ENROLLMENT_REQUIRED)
        attempts = list(Attempt.objects.filter(quiz=quiz, enrollment=enrollment))
        for attempt in attempts:
            if attempt.status != Attempt.Status.IN_PROGRESS:
                continue
            if not attempt.is_past_deadline(now):
                return attempt, False
            Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.EXPIRED)
        # The learner's extensions are read only when a limit is in play: at the attempt limit, or timed.
        at_limit = quiz.max_attempts is not None and len(attempts) >= quiz.max_attempts
        extra_attempts, extra_minutes = (
            extension_allowance(enrollment_id=enrollment.pk, activity_id=quiz.activity_id)
            if at_limit or quiz.time_limit_seconds else (0, 0))
        allowed = quiz.max_attempts + extra_attempts if quiz.max_attempts is not None else None
        if allowed is not None and len(attempts) >= allowed:
            raise AttemptConflict(
                f"All {allowed} attempt(s) at this quiz are used.", code=QuizErrorCode.MAX_ATTEMPTS_REACHED,
            )
        questions = list(quiz.questions.prefetch_related("choices"))
        if not questions:
            raise AttemptConflict("This quiz has no questions yet.", code=QuizErrorCode.QUIZ_EMPTY)
        seed = secrets.randbits(63)
        layout = draw_layout(questions, quiz=quiz, seed=seed)
        by_id = {q.pk: q for q in questions}
        attempt = Attempt.objects.create(
            quiz=quiz, enrollment=enrollment, number=max((a.number for a in attempts), default=0) + 1,
            seed=seed, layout=layout, started_at=now,
            deadline=(now + timedelta(seconds=quiz.time_limit_seconds + extra_minutes * 60)
                      if quiz.time_limit_seconds else None),
            max_points=sum(by_id[entry["question"]].points for entry in layout),
        )
    return attempt, True


def _is_id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_answers(attempt: Attempt, questions: dict[int, Question], answers: Sequence[dict[str, Any]]) -> dict[
        int, dict[str, Any]]:
    """{question id: {"choices": set, "text": str}}, or AnswerError naming the first problem."""
    if len(answers) > MAX_ANSWERS:
        raise AnswerError(f"At most {MAX_ANSWERS} answers.", code=QuizErrorCode.TOO_MANY_ANSWERS)
    shown = {entry["question"]: set(entry["choices"]) for entry in attempt.layout}
    parsed: dict[int, dict[str, Any]] = {}
    for number, answer in enumerate(answers):
        where = {"answers": [f"Answer {number + 1}."]}
        if not isinstance(answer, dict):
            raise AnswerError(f"Answer {number + 1} is not an object.", fields=where)
        question_id = answer.get("question")
        question = questions.get(question_id) if _is_id(question_id) and question_id in shown else None
        if question is None:
            raise AnswerError(f"Question {question_id} is not part of this attempt.",
                              code=QuizErrorCode.UNKNOWN_QUESTION,
                              fields=where)
        assert _is_id(question_id)  # a question is only found by an id (checked above)
        if question_id in parsed:
            raise AnswerError(f"Question {question_id} is answered more than once.",
                              code=QuizErrorCode.DUPLICATE_ANSWER,
                              fields=where)
        picked = answer.get("choices")
        text = answer.get("text")
        if question.kind == Question.Kind.SHORT_TEXT:
            if picked is not None:
                raise AnswerError(f"Question {question_id} takes a text answer, not choices.",
                                  code=QuizErrorCode.WRONG_ANSWER_KIND, fields=where)
            if text is not None and (not isinstance(text, str) or len(text) > 1000):
                raise AnswerError(f"The answer to question {question_id} is text of at most 1000 characters.",
                                  fields=where)
            parsed[question_id] = {"choices": set(), "text": text or ""}
            continue
        if text is not None:
            raise AnswerError(f"Question {question_id} takes choices, not text.", code=QuizErrorCode.WRONG_ANSWER_KIND,
                              fields=where)
        if picked is not None and (not isinstance(picked, list) or not all(_is_id(c) for c in picked)):
            raise AnswerError(f"Choices for question {question_id} are a list of choice ids.", fields=where)
        picked = list(picked or [])
        if len(set(picked)) != len(picked):
            raise AnswerError(f"A choice is picked twice for question {question_id}.",
                              code=QuizErrorCode.DUPLICATE_CHOICE,
                              fields=where)
        unknown = [choice for choice in picked if choice not in shown[question_id]]
        if unknown:
            raise AnswerError(f"Choice {unknown[0]} does not belong to question {question_id}.",
                              code=QuizErrorCode.UNKNOWN_CHOICE, fields=where)
        if len(picked) > 1 and question.kind != Question.Kind.MULTIPLE_CHOICE:
            raise AnswerError(f"Question {question_id} takes one choice.", code=QuizErrorCode.TOO_MANY_CHOICES,
                              fields=where)
        parsed[question_id] = {"choices": set(picked), "text": ""}
    return parsed


def attempt_submit(*, attempt: Attempt, answers: Sequence[dict[str, Any]]) -> tuple[Attempt, bool]:
    """Grade and close the attempt, and report its score. Returns (attempt, graded_now).

    ``answers``: ``[{"question": id, "choices": [ids]}`` or ``{"question": id, "text": "..."}]``.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz__activity", "enrollment")
            .get(pk=attempt.pk)
        )
        if locked.status == Attempt.Status.SUBMITTED:
            return locked, False
        if locked.status == Attempt.Status.EXPIRED or locked.is_past_deadline(now):
            raise AttemptConflict("The time limit of this attempt has passed; it can no longer be submitted.",
                                  code=QuizErrorCode.ATTEMPT_EXPIRED)
        questions = {
            q.pk: q for q in Question.objects.filter(pk__in=[e["question"] for e in locked.layout])
            .prefetch_related("choices")
        }
        parsed = _parse_answers(locked, questions, answers)

        rows, earned, available = [], Decimal(0), 0
        for entry in locked.layout:
            question = questions.get(entry["question"])
            if question is None:  # deleted while the attempt was open (never answered, so deletable)
                continue
            response = parsed.get(question.pk, {"choices": set(), "text": ""})
            result = grading.grade(
                kind=question.kind, points=question.points,
                correct_choice_ids=[c.pk for c in question.choices.all() if c.is_correct],
                accepted_answers=question.accepted_answers or [], picked=response["choices"], text=response["text"],
            )
            earned += result.points
            available += question.points
            rows.append(AttemptAnswer(
                attempt=locked, question=question, choices=sorted(response["choices"]), text=response["text"],
                answered=result.answered, is_correct=result.is_correct, points=result.points,
            ))
        AttemptAnswer.objects.bulk_create(rows)

        locked.points = earned
        locked.max_points = available
        locked.score = grading.score_percent(earned, available)
        locked.passed = locked.score >= locked.quiz.passing_score
        locked.status = Attempt.Status.SUBMITTED
        locked.submitted_at = now
        locked.save(update_fields=["points", "max_points", "score", "passed", "status", "submitted_at"])
        course_services.activity_record_result(
            enrollment=locked.enrollment, activity=locked.quiz.activity, passed=locked.passed, score=locked.score,
            time_spent_seconds=max(0, int((now - locked.started_at).total_seconds())),
        )
        attempt_statements_record(attempt=locked)
    return locked, True
