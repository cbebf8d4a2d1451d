"""Disclosure control for published tables of counts: which cells to hide, and why.

A table is its cells (a count each, keyed by anything hashable) and its lines: each line says that
its member cells add up to its total cell (a one-dimensional list of groups with its total is one
line; a grid has one line per row, one per column and the row of column totals; two lists of the same
people, by cohort and by department, are two lines sharing one total). Cells shown together must be
given as one table, since a reader combines them.

The rule (``cells_suppress``), with ``minimum`` the minimum group size:

1. Primary: every cell counting fewer than ``minimum`` people is hidden, zero included (a hidden cell
   therefore counts 0 to ``minimum - 1`` people; that is all a reader learns of it).
2. Complementary: a line with exactly one hidden cell would give it away by subtraction, so the
   smallest shown member of that line is hidden too (its total, when no member is left). Repeat
   until no line has a single hidden cell.
3. Exact check: a reader also knows that a primary cell is under ``minimum`` and a complementary
   one at least ``minimum``; an exact search over whole numbers (bounds propagated along the lines,
   then split) must find, for each hidden cell, a value other than its own that fits everything shown,
   else the smallest shown cell of a line through the pinned cell (of the table, when those lines are
   hidden whole) is hidden as well, and the rule runs again from step 2. (Step 2 alone protects a
   list, or lists sharing a total; in a grid, rows and columns combined can pin a cell that each
   line alone leaves open.)

Every figure computed from a hidden count (a mean, an interval, an effect size) is hidden with it:
with the count and the line's other figures it would give the hidden group's sum back.
The names of the groups are published, a group appearing when anyone in it took part.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

PRIMARY: Literal["primary"] = "primary"
COMPLEMENTARY: Literal["complementary"] = "complementary"
Reason = Literal["primary", "complementary"]
_ROUNDS = 200
Cell = TypeVar("Cell", bound=Hashable)


@dataclass(frozen=True)
class Line:
    """``members`` add up to ``total``."""

    members: tuple[Hashable, ...]
    total: Hashable


def list_lines(total: Hashable, members: Iterable[Hashable]) -> list[Line]:
    """A list of groups with its total: one line."""
    return [Line(members=tuple(members), total=total)]


def grid_lines(rows: Sequence[Hashable], columns: Sequence[Hashable]) -> list[Line]:
    """A grid published with its margins: cell ``(r, c)``, row totals ``("row", r)``, column totals
    ``("column", c)`` and the grand total ``("total",)``."""
    lines = [Line(members=tuple((r, c) for c in columns), total=("row", r)) for r in rows]
    lines += [Line(members=tuple((r, c) for r in rows), total=("column", c)) for c in columns]
    lines.append(Line(members=tuple(("column", c) for c in columns), total=("total",)))
    lines.append(Line(members=tuple(("row", r) for r in rows), total=("total",)))
    return lines


Bounds = dict[Hashable, tuple[float, float]]
_BUDGET = 5000  # search steps per question; past it a cell counts as given away (and one more is hidden)


class _OutOfBudget(Exception):
    pass


def _propagate(counts: Mapping[Hashable, int], lines: Sequence[Line], bounds: Bounds) -> Bounds | None:
    """Tighten the unknown cells' bounds along every line to a fixed point; None when they contradict."""
    bounds = dict(bounds)
    for _ in range(_ROUNDS):
        changed = False
        for line in lines:
            terms = [(cell, 1) for cell in line.members] + [(line.total, -1)]
            for cell, sign in terms:
                if cell not in bounds:
                    continue
                low = high = 0.0  # bounds of sum(sign_other * other), then cell = -sign * that sum
                for other, other_sign in terms:
                    if other == cell:
                        continue
                    if other in bounds:
                        a, b = bounds[other]
                        low, high = (low + a, high + b) if other_sign > 0 else (low - b, high - a)
                    else:
                        low += other_sign * counts[other]
                        high += other_sign * counts[other]
                new_low, new_high = (-high, -low) if sign > 0 else (low, high)
                tightened = (max(bounds[cell][0], new_low), min(bounds[cell][1], new_high))
                if tightened[0] > tightened[1]:
                    return None
                if tightened != bounds[cell]:
                    bounds[cell] = tightened
                    changed = True
        if not changed:
            break
    return bounds


def hidden_bounds(counts: Mapping[Hashable, int], lines: Sequence[Line], hidden: Mapping[Any, Reason],
                  *, minimum: int) -> Bounds:
    """What a reader can bound each hidden cell to from the shown cells, the lines and the reasons
    (propagated along the lines; a complementary cell has no upper bound of its own)."""
    start: Bounds = {cell: (0, minimum - 1) if reason == PRIMARY else (minimum, math.inf)
                     for cell, reason in hidden.items()}
    return _propagate(counts, lines, start) or start


def _solvable(counts: Mapping[Hashable, int], lines: Sequence[Line], bounds: Bounds, budget: list[int]) -> bool:
    """Whether whole numbers within ``bounds`` satisfy every line (split the widest-open cell, propagate)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _OutOfBudget
    narrowed = _propagate(counts, lines, bounds)
    if narrowed is None:
        return False
    open_cells = [cell for cell, (low, high) in narrowed.items() if low < high]
    if not open_cells:
        value = {**counts, **{cell: low for cell, (low, _) in narrowed.items()}}
        return all(sum(value[cell] for cell in line.members) == value[line.total] for line in lines)
    cell = min(open_cells, key=lambda c: narrowed[c][1] - narrowed[c][0])
    low, high = narrowed[cell]
    middle = math.floor((low + high) / 2)
    return (_solvable(counts, lines, {**narrowed, cell: (low, middle)}, budget)
            or _solvable(counts, lines, {**narrowed, cell: (middle + 1, high)}, budget))


def cells_given_away(counts: Mapping[Hashable, int], lines: Sequence[Line], hidden: Mapping[Any, Reason],
                     *, minimum: int) -> list[Hashable]:
    """The hidden cells whose true count is the only whole number consistent with what is shown (an
    exact search; a search past its budget counts the cell as given away)."""
    ceiling = 2 * sum(counts.values()) + minimum
    bounds = {cell: (low, min(high, ceiling)) for cell, (low, high)
              in hidden_bounds(counts, lines, hidden, minimum=minimum).items()}
    given_away = []
    for cell, (low, high) in bounds.items():
        true = counts[cell]
        try:
            movable = ((low < true and _solvable(counts, lines, {**bounds, cell: (low, true - 1)}, [_BUDGET]))
                       or (true < high and _solvable(counts, lines, {**bounds, cell: (true + 1, high)}, [_BUDGET])))
        except _OutOfBudget:
            movable = False
        if not movable:
            given_away.append(cell)
    return given_away


def _smallest_shown(counts: Mapping[Hashable, int], line: Line, hidden: Mapping[Any, Reason],
                    order: Mapping[Hashable, int]) -> Hashable | None:
    members = [cell for cell in line.members if cell not in hidden]
    if members:
        return min(members, key=lambda cell: (counts[cell], order[cell]))
    return None if line.total in hidden else line.total


def cells_suppress(counts: Mapping[Cell, int], lines: Iterable[Line], *, minimum: int) -> dict[Cell, Reason]:
    """The cells to hide and why (the module docstring's rule). ``counts`` holds every cell the lines name."""
    lines = [line for line in lines if line.members]
    order: dict[Hashable, int] = {cell: index for index, cell in enumerate(counts)}
    shown: Mapping[Hashable, int] = cast(Mapping[Hashable, int], counts)
    hidden: dict[Cell, Reason] = {cell: PRIMARY for cell, count in counts.items() if count < minimum}
    while True:
        lone = next((line for line in lines
                     if sum(cell in hidden for cell in (*line.members, line.total)) == 1
                     and _smallest_shown(shown, line, hidden, order) is not None), None)
        if lone is not None:
            hidden[cast(Cell, _smallest_shown(shown, lone, hidden, order))] = COMPLEMENTARY
            continue
        pinned = cells_given_away(shown, lines, hidden, minimum=minimum)
        if not pinned:
            return hidden
        extra = next((choice for cell in pinned for line in lines if cell in (*line.members, line.total)
                      for choice in [_smallest_shown(shown, line, hidden, order)] if choice is not None), None)
        if extra is None:  # every line through it is hidden already: the smallest shown cell of the table
            extra = min((cell for cell in counts if cell not in hidden), key=lambda cell: (counts[cell], order[cell]),
                        default=None)
        if extra is None:
            return hidden
        hidden[cast(Cell, extra)] = COMPLEMENTARY
