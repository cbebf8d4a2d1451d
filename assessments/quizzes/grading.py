"""Grading rules, as pure functions of a question and a response (no database access).

- Single choice and true/false: the question's points when the one picked choice is correct, else 0.
- Multiple choice, partial credit: ``points * max(0, (correct picked - wrong picked) / correct choices)``.
  Every correct pick earns a share, every wrong pick takes one back, and the result never goes
  below 0; picking every choice therefore earns nothing unless every choice is correct. The answer
  counts as *correct* (for statistics) only when exactly the correct choices are picked.
- Short text: correct when the response matches one of the accepted answers after normalising
  both: Unicode NFKC, case folded, surrounding spaces removed and inner runs of spaces collapsed
  to one. Nothing else is forgiven (no accent stripping, no typo tolerance).
- An unanswered question earns 0. Points are rounded to hundredths; the attempt's score is
  ``100 * points earned / points available``, rounded to hundredths.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessments.quizzes.models import Question

CENT = Decimal("0.01")
_SPACES = re.compile(r"\s+")


def normalise_text(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "").casefold()).strip()


@dataclass(frozen=True)
class Graded:
    points: Decimal
    is_correct: bool
    answered: bool


def grade(*, kind: str, points: int, correct_choice_ids: Iterable[int], accepted_answers: Iterable[str],
          picked: Iterable[int] = (), text: str = "") -> Graded:
    """Grade one response. ``picked`` are choice ids already checked to belong to the question."""
    picked_set = set(picked)
    if kind == Question.Kind.SHORT_TEXT:
        answer = normalise_text(text)
        if not answer:
            return Graded(Decimal(0), False, False)
        correct = answer in {normalise_text(accepted) for accepted in accepted_answers}
        return Graded(Decimal(points) if correct else Decimal(0), correct, True)
    if not picked_set:
        return Graded(Decimal(0), False, False)
    correct_set = set(correct_choice_ids)
    if kind == Question.Kind.MULTIPLE_CHOICE:
        hits = len(picked_set & correct_set)
        misses = len(picked_set - correct_set)
        share = max(Decimal(0), Decimal(hits - misses) / Decimal(len(correct_set))) if correct_set else Decimal(0)
        earned = (Decimal(points) * share).quantize(CENT, rounding=ROUND_HALF_UP)
        return Graded(earned, picked_set == correct_set, True)
    correct = picked_set <= correct_set and len(picked_set) == 1
    return Graded(Decimal(points) if correct else Decimal(0), correct, True)


def score_percent(earned: Decimal, available: int) -> Decimal:
    if available <= 0:
        return Decimal(0).quantize(CENT)
    return (earned * 100 / Decimal(available)).quantize(CENT, rounding=ROUND_HALF_UP)
