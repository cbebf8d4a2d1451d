"""A rated manager's data export holds their 360° results as their results page showed them (the
``leadership_results`` section): groups' counts and figures under the disclosure rule, their self-rating and
its gap; never one response, nor anything that names a rater. A rater's own export holds none of it."""
from __future__ import annotations

import json

import pytest

from assessments.leadership.behaviours import BEHAVIOUR_KEYS
from assessments.leadership.privacy import leadership_results
from tests.assessments.leadership.factories import answer, close, launch, world

pytestmark = pytest.mark.django_db

FIRST = BEHAVIOUR_KEYS[0]


def test_a_managers_export_holds_the_figures_they_were_shown_and_no_rater(org):
    w = world(org, team_sizes=(4, 1))
    manager, peer = w.managers
    cycle = launch(w, managers=[manager], minimum=3, peers=True)
    for rater, value in zip(w.teams[manager.pk], (5, 4, 4, 2), strict=True):
        answer(cycle, rater, manager, value=3, **{FIRST: value})
    answer(cycle, w.director, manager, value=1)  # the own manager: one answer, under the minimum
    answer(cycle, peer, manager, value=2)        # one peer: under the minimum too
    answer(cycle, manager, manager, value=5)     # the self-rating
    assert leadership_results(manager) == []     # nothing shown while the cycle is open, nothing exported
    close(cycle)

    [result] = leadership_results(manager)
    assert result["cycle"] == "Spring round" and result["organization"] == org.name
    groups = {group["group"]: group for group in result["groups"]}
    # (5 + 4 + 4 + 2) / 4 = 3.75, as the results page shows it
    assert groups["team"]["answers"] == 4 and groups["team"]["behaviours"][FIRST]["mean"] == 3.75
    assert groups["team"]["behaviours"][FIRST]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
    # One answer from the own manager: withheld, and no figure of it anywhere
    for withheld in ("manager", "peer"):
        assert groups[withheld] == {"group": withheld, "answers": None, "withheld": True, "behaviours": {}}
    assert result["self_rating"] == {key: 5 for key in BEHAVIOUR_KEYS}
    assert result["self_gap"][FIRST] == pytest.approx(5 - groups["others"]["behaviours"][FIRST]["mean"], abs=0.01)

    text = json.dumps(result).lower()
    for rater in [*w.teams[manager.pk], w.director, peer]:
        assert rater.email.lower() not in text and rater.last_name.lower() not in text
    assert '"rater' not in text


def test_a_raters_export_holds_no_results_of_the_manager_they_rated(org):
    w = world(org, team_sizes=(3,))
    manager = w.managers[0]
    cycle = launch(w, minimum=3, own_manager=False, self_rating=False)
    for rater in w.teams[manager.pk]:
        answer(cycle, rater, manager, value=4)
    close(cycle)
    assert leadership_results(w.teams[manager.pk][0]) == []
    assert len(leadership_results(manager)) == 1
