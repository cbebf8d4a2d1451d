"""The figures of 360° feedback, computed from anonymous answers (pure: no query, no request).

A subject's table is the number of answers per source (team, peers, own manager) beside their total, "all
others"; ``lms.disclosure.cells_suppress`` decides which of those counts are hidden (under the cycle's minimum,
then complementary, so a hidden source cannot be had by subtracting the shown ones from "all others"). Every
figure of a hidden count — its means and its distributions — is hidden with it. Sources nobody was invited from
are not in the table at all. The self-rating is never part of "all others"; it is shown to the subject alone, as
the gap between their own answer and the others' mean.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from assessments.leadership.behaviours import BEHAVIOUR_KEYS, SCALE
from lms.disclosure import cells_suppress, list_lines

ALL_OTHERS = "others"


@dataclass
class Figure:
    """One behaviour's answers from one group: how many, their mean, and counts per scale point."""

    n: int
    mean: float | None
    distribution: dict[int, int]


@dataclass
class GroupResult:
    key: str                    # a source, or ALL_OTHERS
    n: int | None               # None when withheld
    withheld: bool
    behaviours: dict[str, Figure] = field(default_factory=dict)


def figure(values: Sequence[int]) -> Figure:
    distribution = {point: 0 for point in SCALE}
    for value in values:
        distribution[value] += 1
    mean = round(sum(values) / len(values), 2) if values else None
    return Figure(n=len(values), mean=mean, distribution=distribution)


def figures(answer_sets: Sequence[Mapping[str, int]]) -> dict[str, Figure]:
    return {key: figure([answers[key] for answers in answer_sets if key in answers]) for key in BEHAVIOUR_KEYS}


def groups_withheld(counts: Mapping[str, int], *, minimum: int) -> set[str]:
    """The groups (sources and ALL_OTHERS) whose figures are hidden, by the disclosure rule."""
    table = {**counts, ALL_OTHERS: sum(counts.values())}
    return set(cells_suppress(table, list_lines(ALL_OTHERS, counts), minimum=minimum))


def subject_result(by_source: Mapping[str, Sequence[Mapping[str, int]]], invited_sources: Iterable[str], *,
                   minimum: int) -> list[GroupResult]:
    """Per invited source, then all others: counts and figures, or withheld. ``by_source`` holds no self."""
    sources = [source for source in invited_sources]
    counts = {source: len(by_source.get(source, ())) for source in sources}
    hidden = groups_withheld(counts, minimum=minimum)
    result = []
    for key in [*sources, ALL_OTHERS]:
        answer_sets = ([answers for source in sources for answers in by_source.get(source, ())]
                       if key == ALL_OTHERS else list(by_source.get(key, ())))
        if key in hidden:
            result.append(GroupResult(key=key, n=None, withheld=True))
        else:
            result.append(GroupResult(key=key, n=len(answer_sets), withheld=False, behaviours=figures(answer_sets)))
    return result


def self_gaps(self_answers: Mapping[str, int] | None, others: GroupResult) -> dict[str, float | None]:
    """Own answer minus the others' mean per behaviour (None when either is missing or withheld)."""
    if not self_answers or others.withheld:
        return {key: None for key in BEHAVIOUR_KEYS}
    return {key: (round(self_answers[key] - others.behaviours[key].mean, 2)
                  if key in self_answers and others.behaviours[key].mean is not None else None)
            for key in BEHAVIOUR_KEYS}


def changes(current: GroupResult, previous: GroupResult | None) -> dict[str, float | None]:
    """The others' mean now minus in the previous cycle, where both are shown."""
    if previous is None or previous.withheld or current.withheld:
        return {key: None for key in BEHAVIOUR_KEYS}
    return {key: (round(current.behaviours[key].mean - previous.behaviours[key].mean, 2)
                  if current.behaviours[key].mean is not None and previous.behaviours[key].mean is not None
                  else None) for key in BEHAVIOUR_KEYS}
