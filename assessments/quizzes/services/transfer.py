"""Import a quiz from JSON (the format ``assessments.quizzes.selectors.quiz_document`` exports).

Format (version 1)::

    {"format": "empathy-lms/quiz", "version": 1, "title": "...",
     "instructions": "", "passing_score": 70, "max_attempts": 3, "time_limit_seconds": null,
     "shuffle_questions": true, "shuffle_choices": true, "questions_per_attempt": null,
     "reveal_answers": "after_submission",
     "questions": [
       {"kind": "single_choice" | "multiple_choice" | "true_false", "prompt": "...", "points": 1,
        "feedback": "...", "choices": [{"text": "...", "correct": true, "feedback": "..."}]},
       {"kind": "short_text", "prompt": "...", "points": 1, "feedback": "...", "accepted_answers": ["..."]}]}

Importing replaces the quiz's settings and all its questions, all or nothing: the whole document
is checked first and one bad question means nothing is written. Settings left out keep their
defaults (a new quiz) or current values. ``title`` is informational (the activity keeps its own).
A quiz that learners have already attempted is not replaced (409 ``quiz_has_attempts``).
"""
from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from assessments.quizzes.errors import QuizAuthoringError, QuizConflict, QuizErrorCode
from assessments.quizzes.models import Attempt, Choice, Question, Quiz
from assessments.quizzes.selectors import DOCUMENT_FORMAT as FORMAT
from assessments.quizzes.selectors import DOCUMENT_VERSION as VERSION
from assessments.quizzes.services.authoring import MAX_QUESTIONS, QUIZ_FIELDS, clean_question, clean_quiz_fields
from courses.catalog.models import Activity
from lms.text import find_unstorable

MAX_DOCUMENT_BYTES = 1024 * 1024
DOCUMENT_KEYS = {"format", "version", "title", "questions", *QUIZ_FIELDS}
QUESTION_KEYS = {"kind", "prompt", "points", "feedback", "choices", "accepted_answers", "correct"}


def _load(document: dict[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(document, (bytes, str)):
        if len(document) > MAX_DOCUMENT_BYTES:
            raise QuizAuthoringError("The file is larger than 1 MB.", code=QuizErrorCode.INVALID_IMPORT)
        try:
            document = json.loads(document)
        except (UnicodeDecodeError, ValueError) as exc:
            raise QuizAuthoringError(f"The file is not valid JSON: {exc}.", code=QuizErrorCode.INVALID_IMPORT) from None
        except RecursionError:
            raise QuizAuthoringError("The file is nested too deeply.", code=QuizErrorCode.INVALID_IMPORT) from None
    if not isinstance(document, dict):
        raise QuizAuthoringError("A quiz document is a JSON object.", code=QuizErrorCode.INVALID_IMPORT)
    unstorable = find_unstorable(document)
    if unstorable:
        raise QuizAuthoringError(unstorable[1], code=QuizErrorCode.INVALID_IMPORT,
                                 fields={unstorable[0]: [unstorable[1]]})
    return document


def parse_document(document: dict[str, Any] | str | bytes) -> tuple[dict[str, Any], list[tuple[dict, list[dict]]]]:
    """Check a whole document: (quiz settings, [(question fields, choices)]) or QuizAuthoringError."""
    document = _load(document)
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise QuizAuthoringError(f"Not a quiz document: expected format '{FORMAT}', version {VERSION}.",
                                 code=QuizErrorCode.INVALID_IMPORT,
                                 fields={"format": [FORMAT], "version": [str(VERSION)]})
    unknown = set(document) - DOCUMENT_KEYS
    if unknown:
        raise QuizAuthoringError(f"Unknown key(s): {', '.join(sorted(unknown))}.", code=QuizErrorCode.INVALID_IMPORT,
                                 fields={key: ["Unknown key."] for key in sorted(unknown)})
    settings = clean_quiz_fields({key: document[key] for key in QUIZ_FIELDS if key in document})
    questions = document.get("questions")
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        raise QuizAuthoringError(f"'questions' is a list of 1 to {MAX_QUESTIONS} questions.",
                                 code=QuizErrorCode.INVALID_IMPORT,
                                 fields={"questions": ["1 to 500 questions."]})
    parsed = []
    for number, question in enumerate(questions, start=1):
        if not isinstance(question, dict) or set(question) - QUESTION_KEYS:
            raise QuizAuthoringError(f"Question {number} is not a question object.", code=QuizErrorCode.INVALID_IMPORT,
                                     fields={f"questions[{number}]": [f"Keys: {', '.join(sorted(QUESTION_KEYS))}."]})
        try:
            parsed.append(clean_question(
                kind=question.get("kind"), prompt=question.get("prompt"), points=question.get("points", 1),
                feedback=question.get("feedback", ""), choices=question.get("choices"),
                accepted_answers=question.get("accepted_answers"), correct=question.get("correct"),
            ))
        except QuizAuthoringError as exc:
            raise QuizAuthoringError(f"Question {number}: {exc.message}", code=QuizErrorCode.INVALID_IMPORT,
                                     fields={f"questions[{number}].{k}": v for k, v in exc.fields.items()}) from None
    return settings, parsed


def quiz_import_json(*, activity: Activity, document: dict[str, Any] | str | bytes) -> tuple[Quiz, bool]:
    """Create or replace the quiz of ``activity`` from a document. Returns (quiz, created)."""
    if activity.kind != Activity.Kind.QUIZ:
        raise QuizConflict("Only an activity of kind 'quiz' holds a quiz.", code=QuizErrorCode.NOT_A_QUIZ)
    settings, questions = parse_document(document)
    with transaction.atomic():
        quiz = Quiz.objects.select_for_update().filter(activity=activity).first()
        created = quiz is None
        if quiz is None:
            quiz = Quiz(activity=activity)
        elif Attempt.objects.filter(quiz=quiz).exists():
            raise QuizConflict("Learners have attempted this quiz; import into a new quiz activity instead.",
                               code=QuizErrorCode.QUIZ_HAS_ATTEMPTS)
        for name, value in settings.items():
            setattr(quiz, name, value)
        quiz.save()
        if not created:
            quiz.questions.all().delete()
        rows = Question.objects.bulk_create([
            Question(quiz=quiz, position=number, **fields) for number, (fields, _) in enumerate(questions, start=1)
        ])
        Choice.objects.bulk_create([
            Choice(question=row, text=c["text"], is_correct=c["is_correct"], feedback=c["feedback"], position=n)
            for row, (_, choices) in zip(rows, questions, strict=True) for n, c in enumerate(choices, start=1)
        ])
    return quiz, created
