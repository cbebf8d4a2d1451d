"""Rater agreement with its uncertainty, pure functions (no database, no numpy).

Alpha. Krippendorff's alpha, ordinal metric, from the same coincidence tables as
``statistics.krippendorff_alpha_ordinal`` (``unit_coincidences``, ``alpha_from_coincidences``; the formula
is in that module's docstring): each unit's coincidences are kept apart so that resampling is cheap.

The 95% interval is a percentile bootstrap over units: a resample draws as many units as there are
pairable units, with replacement, from a ``random.Random(seed)``; alpha is computed on each of
``resamples`` resamples (those where alpha is undefined are left out and the number kept is
reported); the interval runs from the 2.5th to the 97.5th percentile of those alphas (linear
interpolation between order statistics). Units with the same values (the same multiset) add the same
coincidences, so a resample is drawn over those distinct patterns weighted by how often each occurs,
which is the same distribution as drawing units and much faster. The same data, seed and number of
resamples give the same interval.

Undefined alpha is None with a reason: ``too_few_values`` (fewer than two pairable values) or
``no_variation`` (every pairable value is the same); it is never flagged as poor agreement, since
there is nothing to judge. Only a defined alpha under the threshold is flagged.

Leniency. For each score a reviewer gave on a unit that others scored too, the difference between
their points and the mean of the others' points on that unit; a reviewer's leniency is the mean of
those differences (signed, in rubric points) with n, the number of differences. Beyond
``LENIENCY_MARGIN`` points above the others the reviewer reads as lenient, beyond it below as
severe, otherwise in line; with no comparable score the leniency is None and the label too.

Live calibration. A peer's weight is refreshed from how their scores on learners' work agree with
the supervisors' scores on the same performances: over every criterion both scored,
``A = 1 - mean(|peer points - mean supervisor points| / (max points - min points))``; the weight is
A (A / 2 under the scenario's calibration threshold, as for expert calibration), then held between a
floor and a cap. It takes over only once enough criterion scores compare (``min_pairs``).
"""
from __future__ import annotations

import bisect
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessments.roleplays.statistics import (
    ALPHA_THRESHOLD,
    alpha_from_coincidences,
    unit_coincidences,
)

LENIENCY_MARGIN = 0.5  # rubric points from the others' mean: beyond it, lenient or severe
CONFIDENCE = 0.95



@dataclass(frozen=True)
class CohortFilter:
    """A real group of performances: a workshop session (its booked learners), a department (the performer's,
    in the enrollment's organization), an old free-text label, and/or a range of submission dates."""
    session_id: int | None = None
    department_id: int | None = None
    label: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AlphaEstimate:
    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    units: int  # units with two values or more
    values: int  # pairable values
    reason: str | None  # why alpha is undefined; None when defined
    resamples: int  # bootstrap resamples where alpha was defined
    seed: int

    def flagged(self, threshold: float = ALPHA_THRESHOLD) -> bool:
        return self.alpha is not None and self.alpha < threshold




def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of sorted values, interpolating linearly between order statistics."""
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def alpha_with_interval(units: Iterable[Sequence[float]], *, resamples: int = 1000, seed: int = 0,
                        confidence: float = CONFIDENCE) -> AlphaEstimate:
    """``units``: for each unit, the values its raters gave (missing values left out). Alpha (ordinal) with
    its percentile-bootstrap interval over units; ``resamples`` 0 gives no interval."""
    patterns = Counter(tuple(sorted(values)) for values in units if len(values) >= 2)
    kinds = list(patterns)
    contributions = [unit_coincidences(kind) for kind in kinds]
    table: dict[tuple[float, float], float] = {}
    for kind, entries in zip(kinds, contributions, strict=True):
        for c, k, value in entries:
            table[(c, k)] = table.get((c, k), 0.0) + value * patterns[kind]
    alpha, total, reason = alpha_from_coincidences(table)
    n_units = sum(patterns.values())
    if alpha is None or resamples <= 0:
        return AlphaEstimate(alpha, None, None, n_units, round(total), reason, 0, seed)
    rng = random.Random(seed)
    cumulative, running = [], 0
    for kind in kinds:
        running += patterns[kind]
        cumulative.append(running)
    indexes = range(len(kinds))
    alphas = []
    for _ in range(resamples):
        drawn = Counter(rng.choices(indexes, cum_weights=cumulative, k=n_units))
        resampled: dict[tuple[float, float], float] = {}
        for index, times in drawn.items():
            for c, k, value in contributions[index]:
                resampled[(c, k)] = resampled.get((c, k), 0.0) + value * times
        value, _, _ = alpha_from_coincidences(resampled)
        if value is not None:
            bisect.insort(alphas, value)
    tail = (1 - confidence) / 2
    low = percentile(alphas, tail) if alphas else None
    high = percentile(alphas, 1 - tail) if alphas else None
    return AlphaEstimate(alpha, low, high, n_units, round(total), None, len(alphas), seed)


def group_units(rows: Iterable[Sequence[Any]], key: Callable[[Sequence[Any]], Any]) -> tuple[
        dict[Any, dict[int, int]], set[int]]:
    """Report rows (reviewer at index 2, points at 4) into units by ``key``: {unit: {reviewer: points}}, and
    the reviewers seen."""
    units: dict[Any, dict[int, int]] = defaultdict(dict)
    raters: set[int] = set()
    for row in rows:
        units[key(row)][row[2]] = row[4]
        raters.add(row[2])
    return units, raters


@dataclass(frozen=True)
class Leniency:
    leniency: float | None  # mean points above (+) or below (-) the others on the same units
    n: int
    label: str | None  # lenient, severe, in_line; None when nothing compares


def leniency_of(differences: Sequence[float], margin: float = LENIENCY_MARGIN) -> Leniency:
    if not differences:
        return Leniency(None, 0, None)
    value = sum(differences) / len(differences)
    label = "lenient" if value > margin else "severe" if value < -margin else "in_line"
    return Leniency(value, len(differences), label)


@dataclass(frozen=True)
class LiveCalibration:
    agreement: float
    weight: float
    flagged: bool
    pairs: int


def live_calibration_weight(pairs: Sequence[tuple[float, float, int]], *, threshold: float, floor: float,
                            cap: float) -> LiveCalibration | None:
    """``pairs``: (peer points, mean supervisor points, level range of the criterion) for every criterion of
    every performance both scored. None when nothing compares."""
    usable = [(mine, theirs, span) for mine, theirs, span in pairs if span > 0]
    if not usable:
        return None
    agreement = 1.0 - sum(abs(mine - theirs) / span for mine, theirs, span in usable) / len(usable)
    flagged = agreement < threshold
    weight = agreement / 2 if flagged else agreement
    return LiveCalibration(agreement, min(cap, max(floor, weight)), flagged, len(usable))
