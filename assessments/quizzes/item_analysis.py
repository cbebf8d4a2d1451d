"""Item analysis of a quiz, pure functions (no database): how each question behaved over a set of attempts.

Input: the attempts (one per learner, chosen by the caller) as ``ItemResponse`` rows, one per question an
attempt showed, and the questions with their choices. For each question:

- **difficulty**: the mean share of the question's points earned, over the attempts that showed it. For a
  question scored all or nothing this is the share of attempts answering it correctly; with partial credit
  (multiple choice) a half-right answer counts as half.
- **correct share**: the share of attempts answering it exactly right.
- **point-biserial**: the Pearson correlation between the question's item score (its share of points, 0 or 1
  when scored all or nothing) and the **rest score** (the attempt's points on every other question); the rest
  score leaves the question out so it does not correlate with itself. None when either has no variation
  or fewer than two attempts showed the question.
- **upper/lower index**: rank the attempts that showed the question by their total points (ties broken by
  their order in the input); the upper group is the top 27% and the lower group the bottom 27%
  (``round(0.27 * n)`` attempts each, at least one when two or more attempts showed it); the index is the
  difficulty in the upper group minus that in the lower group, from -1 to 1.
- per choice: how many attempts picked it and the share of the attempts that showed the question (with
  several right answers the shares may add up to more than one), and how many of the upper group picked it.

Flags: ``too_easy`` (difficulty over 0.9), ``too_hard`` (under 0.2), ``low_discrimination`` (point-biserial,
or the upper/lower index when it is undefined, under 0.2 and not negative), ``negative_discrimination`` (under
0), ``unchosen_distractor`` (a wrong choice nobody picked), ``distractor_beats_key`` (a wrong choice the upper
group picked more often than the most-picked right choice).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GROUP_SHARE = 0.27
EASY_ABOVE = 0.9
HARD_BELOW = 0.2
DISCRIMINATION_BELOW = 0.2
FLAGS = ("too_easy", "too_hard", "low_discrimination", "negative_discrimination", "unchosen_distractor",
         "distractor_beats_key")


@dataclass(frozen=True)
class ItemChoice:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class ItemQuestion:
    id: int
    prompt: str
    kind: str
    points: int
    choices: Sequence[ItemChoice] = ()


@dataclass(frozen=True)
class ItemResponse:
    attempt: int
    question: int
    points: Decimal | float
    is_correct: bool
    choices: Sequence[int] = ()
    answered: bool = True


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The correlation of two equally long series; None with fewer than two pairs or no variation in either."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def group_size(n: int) -> int:
    """How many attempts each of the upper and lower groups holds out of ``n``."""
    if n < 2:
        return 0
    return max(1, min(n // 2, round(GROUP_SHARE * n)))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _flags(row: dict[str, Any], question: ItemQuestion) -> list[str]:
    flags = []
    difficulty, discrimination = row["difficulty"], row["point_biserial"]
    if discrimination is None:
        discrimination = row["upper_lower_index"]
    if difficulty is not None and difficulty > EASY_ABOVE:
        flags.append("too_easy")
    if difficulty is not None and difficulty < HARD_BELOW:
        flags.append("too_hard")
    if discrimination is not None and 0 <= discrimination < DISCRIMINATION_BELOW:
        flags.append("low_discrimination")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    if row["attempts"] and question.choices:
        distractors = [c for c in row["choices"] if not c["correct"]]
        if any(c["count"] == 0 for c in distractors):
            flags.append("unchosen_distractor")
        key_top = max((c["upper_count"] for c in row["choices"] if c["correct"]), default=0)
        if any(c["upper_count"] > key_top for c in distractors):
            flags.append("distractor_beats_key")
    return flags


def _question_row(question: ItemQuestion, responses: list[ItemResponse], totals: dict[int, float],
                  order: dict[int, int]) -> dict[str, Any]:
    n = len(responses)
    item = [float(r.points) / question.points for r in responses]
    rest = [totals[r.attempt] - float(r.points) for r in responses]
    ranked = sorted(responses, key=lambda r: (-totals[r.attempt], order[r.attempt]))
    size = group_size(n)
    upper, lower = ranked[:size], ranked[n - size:] if size else []
    index = None
    if size:
        index = (sum(float(r.points) for r in upper) - sum(float(r.points) for r in lower)) / (size * question.points)
    upper_picks: dict[int, int] = defaultdict(int)
    for response in upper:
        for choice_id in set(response.choices):
            upper_picks[choice_id] += 1
    picks: dict[int, int] = defaultdict(int)
    for response in responses:
        for choice_id in set(response.choices):
            picks[choice_id] += 1
    row: dict[str, Any] = {
        "id": question.id, "prompt": question.prompt, "kind": question.kind, "points": question.points,
        "attempts": n, "answered": sum(1 for r in responses if r.answered),
        "difficulty": _round(sum(item) / n) if n else None,
        "correct_share": _round(sum(1 for r in responses if r.is_correct) / n) if n else None,
        "point_biserial": _round(pearson(item, rest)), "upper_lower_index": _round(index), "group_size": size,
        "choices": [{"id": c.id, "text": c.text, "correct": c.is_correct, "count": picks.get(c.id, 0),
                     "share": _round(picks.get(c.id, 0) / n) if n else None, "upper_count": upper_picks.get(c.id, 0)}
                    for c in question.choices],
    }
    row["flags"] = _flags(row, question)
    return row


def item_analysis(questions: Iterable[ItemQuestion], responses: Iterable[ItemResponse]) -> dict[str, Any]:
    """Every question's statistics (in the order given) over the attempts the responses belong to."""
    by_question: dict[int, list[ItemResponse]] = defaultdict(list)
    totals: dict[int, float] = defaultdict(float)
    order: dict[int, int] = {}
    for response in responses:
        by_question[response.question].append(response)
        totals[response.attempt] += float(response.points)
        order.setdefault(response.attempt, len(order))
    rows = [_question_row(q, by_question.get(q.id, []), totals, order) for q in questions]
    return {"attempts": len(order), "questions": rows,
            "flagged": sum(1 for row in rows if row["flags"])}
