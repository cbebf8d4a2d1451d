"""The figures of 360° feedback, on hand-made answers (assessments/leadership/results.py): means and
distributions against hand-computed figures, the minimum per source with its complement, the self gap, the
change between cycles; and a reader who tries to recover a withheld source from what is shown, and fails."""
from __future__ import annotations

import random

import pytest

from assessments.leadership import results
from assessments.leadership.behaviours import BEHAVIOUR_KEYS, SCALE
from lms.disclosure import Line, cells_suppress, list_lines
from tests.disclosure_attack import recovered_by_algebra, recovered_by_search

FIRST = BEHAVIOUR_KEYS[0]


def sets(*values_of_first, rest=3):
    return [{key: (value if key == FIRST else rest) for key in BEHAVIOUR_KEYS} for value in values_of_first]


def test_mean_and_distribution_match_hand_computed_figures():
    team = sets(5, 4, 4, 2)
    groups = results.subject_result({"team": team}, ["team"], minimum=3)
    team_result, others = groups
    assert team_result.n == 4 and not team_result.withheld
    # (5 + 4 + 4 + 2) / 4 = 3.75; one 2, two 4s, one 5
    assert team_result.behaviours[FIRST].mean == 3.75
    assert team_result.behaviours[FIRST].distribution == {1: 0, 2: 1, 3: 0, 4: 2, 5: 1}
    assert others.n == 4 and others.behaviours[FIRST].mean == 3.75


def test_a_source_one_short_of_the_minimum_shows_nothing_and_takes_a_complement():
    by_source = {"team": sets(5, 4, 4, 2), "peer": sets(1, 2), "manager": sets(3)}
    groups = {group.key: group for group in results.subject_result(by_source, ["team", "peer", "manager"],
                                                                    minimum=3)}
    assert groups["peer"].withheld and groups["peer"].n is None and groups["peer"].behaviours == {}
    assert groups["manager"].withheld and groups["manager"].behaviours == {}
    # two sources hidden already: the team stays, all others (7 answers) are shown together
    assert not groups["team"].withheld
    assert groups["others"].n == 7
    # (5+4+4+2+1+2+3) / 7 = 21 / 7 = 3.0
    assert groups["others"].behaviours[FIRST].mean == 3.0


def test_one_small_source_hides_the_smallest_other_so_subtraction_gives_nothing():
    by_source = {"team": sets(5, 4, 4, 2, 3), "peer": sets(1, 2, 2), "manager": sets(1)}
    groups = {group.key: group for group in results.subject_result(by_source, ["team", "peer", "manager"],
                                                                    minimum=3)}
    assert groups["manager"].withheld  # 1 < 3
    assert groups["peer"].withheld     # complement: else others - team - peer = the manager's answer
    assert not groups["team"].withheld and not groups["others"].withheld


def test_all_others_under_the_minimum_hides_everything():
    groups = results.subject_result({"team": sets(5, 4)}, ["team"], minimum=3)
    assert all(group.withheld for group in groups)


def test_self_gap_and_change_between_cycles():
    now = results.subject_result({"team": sets(4, 4, 5)}, ["team"], minimum=3)[-1]       # mean 4.33
    before = results.subject_result({"team": sets(3, 3, 3, 4)}, ["team"], minimum=3)[-1]  # mean 3.25
    own = {key: 5 for key in BEHAVIOUR_KEYS}
    assert results.self_gaps(own, now)[FIRST] == pytest.approx(0.67, abs=0.01)   # 5 - 4.33
    assert results.changes(now, before)[FIRST] == pytest.approx(1.08, abs=0.01)  # 4.33 - 3.25
    hidden = results.subject_result({"team": sets(4, 4)}, ["team"], minimum=3)[-1]
    assert results.self_gaps(own, hidden)[FIRST] is None
    assert results.changes(now, hidden)[FIRST] is None


def _published(groups):
    return {group.key: group for group in groups}


@pytest.mark.parametrize("seed", range(120))
def test_a_reader_cannot_recover_a_withheld_source_by_subtraction(seed):
    """What is shown: each shown group's n and per point counts, all others' n and counts. For the source counts
    and for every behaviour's every scale point, the withheld cells are tried one by one: none is pinned."""
    generator = random.Random(seed)
    sources = [s for s in ("team", "peer", "manager") if generator.random() < 0.8] or ["team"]
    by_source = {s: [{key: generator.choice(SCALE) for key in BEHAVIOUR_KEYS}
                     for _ in range(generator.randint(0, 6))] for s in sources}
    minimum = generator.choice([2, 3, 4])
    shown = _published(results.subject_result(by_source, sources, minimum=minimum))
    counts = {s: len(by_source[s]) for s in sources} | {"others": sum(len(v) for v in by_source.values())}
    lines = list_lines("others", sources)
    hidden = cells_suppress(counts, lines, minimum=minimum)
    assert {key for key, group in shown.items() if group.withheld} == set(hidden)
    assert recovered_by_search(counts, lines, hidden, minimum=minimum) == []
    assert recovered_by_algebra(counts, lines, hidden) == []
    for key in BEHAVIOUR_KEYS:
        for point in SCALE:
            cells = {s: sum(1 for a in by_source[s] if a[key] == point) for s in sources}
            cells["others"] = sum(cells.values())
            assert recovered_by_algebra(cells, [Line(members=tuple(sources), total="others")], hidden) == [], (
                key, point)
            for s in sources:
                if s not in hidden:
                    assert shown[s].behaviours[key].distribution[point] == cells[s]
