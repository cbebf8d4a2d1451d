"""A reader who tries to recover every hidden cell of a published table, written apart from
lms/disclosure.py so the two do not share a mistake.

What the reader knows: every shown cell, which cells add up to which total (the lines), and for each
hidden cell its reason: a primary cell counts 0 to minimum - 1 people, a complementary one at least
minimum (and no more than ``ceiling``, a generous bound). Two attacks:

- integers: an exact search (bounds propagation and splitting) for a solution of the published
  equations where the hidden cell differs from its true value; none means the cell is given away;
- linear algebra: a hidden cell is determined by the equations alone (whatever the bounds: how a sum
  of scores, from a mean times a count, would be recovered) when its unit vector lies in the row space
  of the equations restricted to the hidden cells.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from lms.disclosure import PRIMARY, Line


def _equations(counts, lines: Sequence[Line], hidden) -> list[tuple[list[tuple[Hashable, int]], int]]:
    """Each line as (hidden terms with their signs, the constant they must sum to)."""
    out = []
    for line in lines:
        terms, constant = [], 0
        for cell, sign in [(m, 1) for m in line.members] + [(line.total, -1)]:
            if cell in hidden:
                terms.append((cell, sign))
            else:
                constant -= sign * counts[cell]
        out.append((terms, constant))
    return out


def _narrow(domains: dict, equations) -> bool:
    """Tighten the domains along every equation until nothing moves; False when one empties."""
    moving = True
    while moving:
        moving = False
        for terms, constant in equations:
            for cell, sign in terms:
                rest_low = sum(domains[c][0] if s > 0 else -domains[c][1] for c, s in terms if c != cell)
                rest_high = sum(domains[c][1] if s > 0 else -domains[c][0] for c, s in terms if c != cell)
                low, high = (constant - rest_high, constant - rest_low)
                if sign < 0:
                    low, high = -high, -low
                new = (max(domains[cell][0], low), min(domains[cell][1], high))
                if new[0] > new[1]:
                    return False
                if new != domains[cell]:
                    domains[cell], moving = new, True
    return True


def _solvable(domains: dict, equations) -> bool:
    domains = dict(domains)
    if not _narrow(domains, equations):
        return False
    open_cells = [c for c, (low, high) in domains.items() if low < high]
    if not open_cells:
        return all(sum(s * domains[c][0] for c, s in terms) == constant for terms, constant in equations)
    cell = min(open_cells, key=lambda c: domains[c][1] - domains[c][0])
    low, high = domains[cell]
    middle = (low + high) // 2
    return (_solvable({**domains, cell: (low, middle)}, equations)
            or _solvable({**domains, cell: (middle + 1, high)}, equations))


def recovered_by_search(counts: Mapping[Hashable, int], lines: Sequence[Line], hidden: Mapping[Hashable, str],
                        *, minimum: int) -> list[Hashable]:
    """The hidden cells whose true value is the only one consistent with what is published."""
    ceiling = 2 * sum(counts.values()) + minimum
    domains = {cell: (0, minimum - 1) if reason == PRIMARY else (minimum, ceiling) for cell, reason in hidden.items()}
    equations = _equations(counts, lines, hidden)
    assert _solvable(domains, equations), "the truth must be a solution"
    given_away = []
    for cell in hidden:
        true = counts[cell]
        low, high = domains[cell]
        below = true > low and _solvable({**domains, cell: (low, true - 1)}, equations)
        above = true < high and _solvable({**domains, cell: (true + 1, high)}, equations)
        if not (below or above):
            given_away.append(cell)
    return given_away


def recovered_by_algebra(counts: Mapping[Hashable, int], lines: Sequence[Line],
                         hidden: Mapping[Hashable, str]) -> list[Hashable]:
    """The hidden cells the equations alone pin, whatever the bounds."""
    cells = list(hidden)
    if not cells:
        return []
    index = {cell: i for i, cell in enumerate(cells)}
    rows = []
    for terms, _ in _equations(counts, lines, hidden):
        row = np.zeros(len(cells))
        for cell, sign in terms:
            row[index[cell]] += sign
        rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(cells)))
    rank = np.linalg.matrix_rank(matrix) if len(rows) else 0
    pinned = []
    for cell in cells:
        unit = np.zeros(len(cells))
        unit[index[cell]] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            pinned.append(cell)
    return pinned
