"""Disclosure control: the rule on hand-made tables, then a reader who tries every hidden cell of
random tables (lists with a total, two lists sharing a total, grids with margins) and must fail."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.disclosure import COMPLEMENTARY, PRIMARY, cells_suppress, grid_lines, list_lines
from tests.disclosure_attack import recovered_by_algebra, recovered_by_search

MINIMUM = 5


def _attack(counts, lines, hidden):
    assert recovered_by_search(counts, lines, hidden, minimum=MINIMUM) == []
    assert recovered_by_algebra(counts, lines, hidden) == []


def _list(groups: dict, total_key="total"):
    counts = {total_key: sum(groups.values()), **groups}
    return counts, list_lines(total_key, groups)


def test_the_issues_example_nine_in_total_five_and_four_hides_both_groups():
    counts, lines = _list({"spring": 5, "autumn": 4})
    hidden = cells_suppress(counts, lines, minimum=MINIMUM)
    assert hidden == {"autumn": PRIMARY, "spring": COMPLEMENTARY}
    _attack(counts, lines, hidden)
    # Without the complementary cell, 9 - 5 gives the small group away: the reader finds it.
    assert recovered_by_search(counts, lines, {"autumn": PRIMARY}, minimum=MINIMUM) == ["autumn"]
    assert recovered_by_algebra(counts, lines, {"autumn": PRIMARY}) == ["autumn"]


def test_nothing_is_hidden_when_every_group_is_large_enough():
    counts, lines = _list({"a": 5, "b": 7, "c": 12})
    assert cells_suppress(counts, lines, minimum=MINIMUM) == {}


def test_the_smallest_other_group_is_the_one_hidden_beside_a_small_one():
    counts, lines = _list({"a": 30, "b": 6, "c": 2, "d": 9})
    assert cells_suppress(counts, lines, minimum=MINIMUM) == {"c": PRIMARY, "b": COMPLEMENTARY}


def test_two_small_groups_protect_each_other():
    counts, lines = _list({"a": 30, "b": 3, "c": 2})
    assert cells_suppress(counts, lines, minimum=MINIMUM) == {"b": PRIMARY, "c": PRIMARY}


def test_a_complementary_group_of_exactly_the_minimum_beside_an_empty_one_hides_more():
    # 0 and 5 in a line of 10: hiding only those two, a reader knows 0..4 + at least 5 = 5, so 0 and 5.
    counts, lines = _list({"empty": 0, "a": 5, "b": 5})
    hidden = cells_suppress(counts, lines, minimum=MINIMUM)
    assert hidden == {"empty": PRIMARY, "a": COMPLEMENTARY, "b": COMPLEMENTARY, "total": COMPLEMENTARY}
    assert recovered_by_search(counts, lines, {"empty": PRIMARY, "a": COMPLEMENTARY}, minimum=MINIMUM)
    # Even all three members hidden are pinned by 0 + 5 + 5 = 10; the total goes too.
    assert recovered_by_search(counts, lines, {"empty": PRIMARY, "a": COMPLEMENTARY, "b": COMPLEMENTARY},
                               minimum=MINIMUM)
    assert recovered_by_search(counts, lines, hidden, minimum=MINIMUM) == []


def test_a_total_under_the_minimum_hides_everything():
    counts, lines = _list({"a": 3, "b": 1})
    assert cells_suppress(counts, lines, minimum=MINIMUM) == {"total": PRIMARY, "a": PRIMARY, "b": PRIMARY}


def test_two_lists_of_the_same_people_share_their_total():
    # By cohort 5 + 4 and by department 6 + 3: the cohorts' and the departments' small groups both hidden.
    counts = {"course": 9, "c1": 5, "c2": 4, "d1": 6, "d2": 3}
    lines = list_lines("course", ["c1", "c2"]) + list_lines("course", ["d1", "d2"])
    hidden = cells_suppress(counts, lines, minimum=MINIMUM)
    assert set(hidden) == {"c1", "c2", "d1", "d2"} and "course" not in hidden
    _attack(counts, lines, hidden)


def test_a_grid_with_margins():
    rows, columns = ["r1", "r2", "r3"], ["c1", "c2"]
    grid = {("r1", "c1"): 2, ("r1", "c2"): 10, ("r2", "c1"): 8, ("r2", "c2"): 9, ("r3", "c1"): 7, ("r3", "c2"): 6}
    counts = _grid_counts(grid, rows, columns)
    lines = grid_lines(rows, columns)
    hidden = cells_suppress(counts, lines, minimum=MINIMUM)
    assert hidden[("r1", "c1")] == PRIMARY and len(hidden) >= 4
    _attack(counts, lines, hidden)


def test_a_grid_where_rows_and_columns_together_would_pin_a_cell_each_line_leaves_open():
    values = [[8, 2, 2, 10], [15, 0, 3, 1], [4, 5, 10, 2], [8, 15, 8, 1]]
    rows, columns = range(4), range(4)
    grid = {(r, c): values[r][c] for r in rows for c in columns}
    counts = _grid_counts(grid, rows, columns)
    lines = grid_lines(list(rows), list(columns))
    hidden = cells_suppress(counts, lines, minimum=MINIMUM)
    _attack(counts, lines, hidden)
    # Steps 1 and 2 alone (every line with two hidden cells or none) leave (1, 3) to the reader.
    lone_rule = {cell: PRIMARY for cell, count in counts.items() if count < MINIMUM} | {(3, 0): COMPLEMENTARY}
    assert all(sum(cell in lone_rule for cell in (*line.members, line.total)) != 1 for line in lines)
    assert recovered_by_algebra(counts, lines, lone_rule) == [(1, 3)]


def _grid_counts(grid, rows, columns):
    counts = dict(grid)
    for r in rows:
        counts[("row", r)] = sum(grid[(r, c)] for c in columns)
    for c in columns:
        counts[("column", c)] = sum(grid[(r, c)] for r in rows)
    counts[("total",)] = sum(grid.values())
    return counts


small_counts = st.integers(min_value=0, max_value=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(small_counts, min_size=1, max_size=7))
def test_random_lists_keep_every_hidden_group(values):
    counts, lines = _list({f"g{i}": v for i, v in enumerate(values)})
    _attack(counts, lines, cells_suppress(counts, lines, minimum=MINIMUM))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=4),
       st.lists(st.integers(min_value=0, max_value=6), min_size=16, max_size=16))
def test_random_pairs_of_lists_sharing_a_total(cohorts, departments, people):
    # People spread over cohorts x departments; only the two lists and the total are published.
    grid = {(r, c): people[r * 4 + c] for r in range(cohorts) for c in range(departments)}
    counts = {"total": sum(grid.values())}
    counts |= {("cohort", r): sum(grid[(r, c)] for c in range(departments)) for r in range(cohorts)}
    counts |= {("department", c): sum(grid[(r, c)] for r in range(cohorts)) for c in range(departments)}
    lines = (list_lines("total", [("cohort", r) for r in range(cohorts)])
             + list_lines("total", [("department", c) for c in range(departments)]))
    _attack(counts, lines, cells_suppress(counts, lines, minimum=MINIMUM))


@pytest.mark.parametrize("seed", range(150))
def test_random_grids_with_margins(seed):
    generator = random.Random(seed)
    rows = [f"r{i}" for i in range(generator.randint(2, 4))]
    columns = [f"c{i}" for i in range(generator.randint(2, 4))]
    grid = {(r, c): generator.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 15]) for r in rows for c in columns}
    counts = _grid_counts(grid, rows, columns)
    lines = grid_lines(rows, columns)
    _attack(counts, lines, cells_suppress(counts, lines, minimum=MINIMUM))
