"""Authoring quizzes: the quiz's settings, its questions and their choices.

Rules checked on every write (the API, the admin and the JSON import all come through here):
- a quiz belongs to an activity of kind "quiz", one quiz per activity;
- single choice: 2-20 choices, exactly one correct; true/false: exactly two choices, one correct
  (or ``correct=True/False`` to get "True"/"False" choices); multiple choice: 2-20 choices, at
  least one correct; short text: no choices, 1-50 accepted answers that are not blank once
  normalised;
- a question that has been answered in a submitted attempt is never deleted (its grade must stay
  explainable); change its wording instead, or build a new quiz.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from assessments.quizzes.errors import QuizAuthoringError, QuizConflict, QuizErrorCode
from assessments.quizzes.grading import normalise_text
from assessments.quizzes.models import AttemptAnswer, Choice, Question, Quiz
from courses.catalog import services as course_services
from courses.catalog.models import Activity, Module

MAX_CHOICES = 20
MAX_ACCEPTED_ANSWERS = 50
MAX_QUESTIONS = 500
QUIZ_FIELDS = {"instructions", "passing_score", "max_attempts", "time_limit_seconds", "shuffle_questions",
               "shuffle_choices", "questions_per_attempt", "reveal_answers"}
QUESTION_FIELDS = {"kind", "prompt", "points", "feedback", "accepted_answers", "position"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_quiz_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - QUIZ_FIELDS
    if unknown:
        raise QuizAuthoringError(f"Unknown quiz field(s): {', '.join(sorted(unknown))}.",
                                 fields={name: ["Unknown field."] for name in sorted(unknown)})
    problems: dict[str, list[str]] = {}
    ranges = {"passing_score": (0, 100, False), "max_attempts": (1, 1000, True),
              "time_limit_seconds": (10, 7 * 24 * 3600, True), "questions_per_attempt": (1, MAX_QUESTIONS, True)}
    for name, (low, high, nullable) in ranges.items():
        if name not in fields:
            continue
        value = fields[name]
        if value is None and nullable:
            continue
        if not _is_int(value) or not low <= value <= high:
            problems[name] = [f"A whole number from {low} to {high}{' or null' if nullable else ''}."]
    for name in ("shuffle_questions", "shuffle_choices"):
        if name in fields and not isinstance(fields[name], bool):
            problems[name] = ["true or false."]
    if "reveal_answers" in fields and fields["reveal_answers"] not in Quiz.Reveal.values:
        problems["reveal_answers"] = [f"One of {', '.join(Quiz.Reveal.values)}."]
    if "instructions" in fields and (not isinstance(fields["instructions"], str) or len(fields["instructions"]) > 5000):
        problems["instructions"] = ["Text of at most 5000 characters."]
    if problems:
        raise QuizAuthoringError("The quiz settings break a rule.", fields=problems)
    return dict(fields)


CHOICE_KEYS = frozenset({"text", "correct", "is_correct", "feedback", "id"})


def clean_question(
    *, kind: Any, prompt: Any, points: Any = 1, feedback: Any = "", choices: Any = None,
    accepted_answers: Any = None, correct: Any = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validated question fields and choice dicts (``text``, ``is_correct``, ``feedback``, optional ``id``)."""
    problems: dict[str, list[str]] = {}
    if kind not in Question.Kind.values:
        raise QuizAuthoringError("Unknown question kind.", code=QuizErrorCode.INVALID_QUESTION,
                                 fields={"kind": [f"One of {', '.join(Question.Kind.values)}."]})
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > 5000:
        problems["prompt"] = ["Text of 1 to 5000 characters."]
    if not _is_int(points) or not 1 <= points <= 100:
        problems["points"] = ["A whole number from 1 to 100."]
    if not isinstance(feedback, str) or len(feedback) > 5000:
        problems["feedback"] = ["Text of at most 5000 characters."]

    if kind == Question.Kind.TRUE_FALSE and choices is None and isinstance(correct, bool):
        choices = [{"text": "True", "correct": correct}, {"text": "False", "correct": not correct}]
    cleaned_choices: list[dict[str, Any]] = []
    answers: list[str] = []
    if kind == Question.Kind.SHORT_TEXT:
        if choices:
            problems["choices"] = ["A short-text question has no choices."]
        if not isinstance(accepted_answers, list) or not all(isinstance(a, str) for a in accepted_answers):
            problems["accepted_answers"] = ["A list of accepted answers (text)."]
        else:
            answers = [a.strip() for a in accepted_answers if normalise_text(a)]
            if not 1 <= len(answers) <= MAX_ACCEPTED_ANSWERS or any(len(a) > 200 for a in answers):
                problems["accepted_answers"] = [f"1 to {MAX_ACCEPTED_ANSWERS} answers of at most 200 characters."]
    else:
        if accepted_answers:
            problems["accepted_answers"] = ["Only short-text questions have accepted answers."]
        if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
            problems["choices"] = [f"From 2 to {MAX_CHOICES} choices."]
        else:
            for number, choice in enumerate(choices):
                if not isinstance(choice, dict):
                    problems["choices"] = [f"Choice {number + 1} is not an object."]
                    break
                unknown = sorted(str(key) for key in choice if key not in CHOICE_KEYS)
                if unknown:  # e.g. a YAML choice whose unquoted comma split its text into a second key
                    problems["choices"] = [f"Choice {number + 1} has unknown fields: {', '.join(unknown)}."]
                    break
                text = choice.get("text")
                is_correct = choice.get("correct", choice.get("is_correct", False))
                choice_feedback = choice.get("feedback", "")
                if not isinstance(text, str) or not text.strip() or len(text) > 1000:
                    problems["choices"] = [f"Choice {number + 1} needs a text of 1 to 1000 characters."]
                    break
                if not isinstance(is_correct, bool) or not isinstance(choice_feedback, str) or \
                        len(choice_feedback) > 1000:
                    problems["choices"] = [f"Choice {number + 1}: 'correct' is true or false and 'feedback' "
                                           "is text of at most 1000 characters."]
                    break
                cleaned = {"text": text.strip(), "is_correct": is_correct, "feedback": choice_feedback.strip()}
                if choice.get("id") is not None:
                    cleaned["id"] = choice["id"]
                cleaned_choices.append(cleaned)
            else:
                right = sum(1 for c in cleaned_choices if c["is_correct"])
                if kind == Question.Kind.TRUE_FALSE and (len(cleaned_choices) != 2 or right != 1):
                    problems["choices"] = ["A true/false question has exactly two choices, one of them correct."]
                elif kind == Question.Kind.SINGLE_CHOICE and right != 1:
                    problems["choices"] = ["A single-choice question has exactly one correct choice."]
                elif kind == Question.Kind.MULTIPLE_CHOICE and right < 1:
                    problems["choices"] = ["A multiple-choice question has at least one correct choice."]
    if problems:
        raise QuizAuthoringError("The question breaks a rule.", code=QuizErrorCode.INVALID_QUESTION, fields=problems)
    fields = {"kind": kind, "prompt": prompt.strip(), "points": points, "feedback": feedback.strip(),
              "accepted_answers": answers}
    return fields, cleaned_choices


def quiz_create(*, activity: Activity, **fields: Any) -> Quiz:
    """The quiz of a quiz activity (settings only; add questions with ``question_create``)."""
    if activity.kind != Activity.Kind.QUIZ:
        raise QuizConflict("Only an activity of kind 'quiz' holds a quiz.", code=QuizErrorCode.NOT_A_QUIZ)
    values = clean_quiz_fields(fields)
    with transaction.atomic():
        if Quiz.objects.select_for_update().filter(activity=activity).exists():
            raise QuizConflict("This activity already has a quiz.", code=QuizErrorCode.QUIZ_EXISTS)
        return Quiz.objects.create(activity=activity, **values)


def quiz_activity_create(
    *, module: Module, title: str, required: bool = True, weight: int = 1, position: int | None = None,
    estimated_minutes: int = 0, **quiz_fields: Any,
) -> Quiz:
    """A quiz activity in ``module`` and its quiz, in one transaction."""
    with transaction.atomic():
        activity = course_services.activity_create(
            module=module, title=title, kind=Activity.Kind.QUIZ, required=required, weight=weight,
            position=position, estimated_minutes=estimated_minutes,
        )
        return quiz_create(activity=activity, **quiz_fields)


def quiz_update(*, quiz: Quiz, **fields: Any) -> Quiz:
    values = clean_quiz_fields(fields)
    with transaction.atomic():
        for name, value in values.items():
            setattr(quiz, name, value)
        quiz.save()
    return quiz


def question_create(
    *, quiz: Quiz, kind: str, prompt: str, points: int = 1, feedback: str = "",
    choices: list[dict[str, Any]] | None = None, accepted_answers: list[str] | None = None,
    correct: bool | None = None, position: int | None = None,
) -> Question:
    """One question with its choices. Choices are dicts: ``text``, ``correct`` (bool), ``feedback``."""
    fields, cleaned = clean_question(kind=kind, prompt=prompt, points=points, feedback=feedback, choices=choices,
                                     accepted_answers=accepted_answers, correct=correct)
    with transaction.atomic():
        count = quiz.questions.count()
        if count >= MAX_QUESTIONS:
            raise QuizAuthoringError(f"A quiz has at most {MAX_QUESTIONS} questions.",
                                     code=QuizErrorCode.TOO_MANY_QUESTIONS)
        if position is None:
            position = (quiz.questions.aggregate(top=Max("position"))["top"] or 0) + 1
        question = Question.objects.create(quiz=quiz, position=position, **fields)
        Choice.objects.bulk_create([
            Choice(question=question, text=c["text"], is_correct=c["is_correct"], feedback=c["feedback"],
                   position=number)
            for number, c in enumerate(cleaned, start=1)
        ])
    return question


def question_update(*, question: Question, choices: list[dict[str, Any]] | None = None, **fields: Any) -> Question:
    """Change a question; ``choices`` (when given) become its whole list: a dict with the ``id`` of an
    existing choice updates it in place, one without creates a choice, and choices not listed go."""
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise QuizAuthoringError(f"Unknown question field(s): {', '.join(sorted(unknown))}.",
                                 code=QuizErrorCode.INVALID_QUESTION)
    position = fields.pop("position", question.position)
    kind = fields.get("kind", question.kind)
    current = list(question.choices.all())
    if kind == Question.Kind.SHORT_TEXT:
        choices, accepted = None, fields.get("accepted_answers", question.accepted_answers)
    else:
        accepted = None
        if choices is None:
            choices = [{"id": c.pk, "text": c.text, "correct": c.is_correct, "feedback": c.feedback} for c in current]
    values, cleaned = clean_question(
        kind=kind, prompt=fields.get("prompt", question.prompt), points=fields.get("points", question.points),
        feedback=fields.get("feedback", question.feedback), choices=choices, accepted_answers=accepted,
    )
    by_id: dict[object, Choice] = {c.pk: c for c in current}  # looked up by the ids the caller sent
    with transaction.atomic():
        for name, value in values.items():
            setattr(question, name, value)
        question.position = position
        question.save()
        keep: set[int] = set()
        for number, data in enumerate(cleaned, start=1):
            existing = by_id.get(data.get("id"))
            if existing is None:
                Choice.objects.create(question=question, text=data["text"], is_correct=data["is_correct"],
                                      feedback=data["feedback"], position=number)
                continue
            keep.add(existing.pk)
            existing.text, existing.is_correct = data["text"], data["is_correct"]
            existing.feedback, existing.position = data["feedback"], number
            existing.save()
        Choice.objects.filter(pk__in=[c.pk for c in current if c.pk not in keep]).delete()
    return question


def question_delete(*, question: Question) -> None:
    with transaction.atomic():
        if AttemptAnswer.objects.filter(question=question).exists():
            raise QuizConflict("This question has been answered; its grades must stay explainable.",
                               code=QuizErrorCode.QUESTION_ANSWERED)
        question.delete()
