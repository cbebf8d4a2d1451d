"""Calibration weights and final scores on hand-computed examples (pure functions)."""
from __future__ import annotations

import pytest

from assessments.roleplays.scoring import CriterionSpec, calibration_weight, final_score

CRITERIA = [CriterionSpec(1, 1.0, 0, 4), CriterionSpec(2, 2.0, 0, 4)]


def test_calibration_weight_hand_computed():
    # |3-4|/4 = 0.25, |2-2|/4 = 0, |0-2|/4 = 0.5, |4-4|/4 = 0 -> mean 0.1875 -> agreement 0.8125 >= 0.7
    calibrated = calibration_weight([(3, 4, 4), (2, 2, 4), (0, 2, 4), (4, 4, 4)], threshold=0.7)
    assert calibrated.agreement == pytest.approx(0.8125)
    assert calibrated.weight == pytest.approx(0.8125) and not calibrated.flagged and calibrated.pairs == 4
    # |0-4|/4 = 1, |1-2|/4 = 0.25 -> mean 0.625 -> agreement 0.375 < 0.7: flagged, weight halved
    flagged = calibration_weight([(0, 4, 4), (1, 2, 4)], threshold=0.7)
    assert flagged.agreement == pytest.approx(0.375)
    assert flagged.weight == pytest.approx(0.1875) and flagged.flagged
    assert calibration_weight([], threshold=0.7) is None


def test_final_score_median_of_peers_and_supervisor():
    # Peers on criterion 1: 2, 3, 4 -> 50, 75, 100 -> median 75; criterion 2: 1, 1, 4 -> 25, 25, 100 -> median 25.
    # Peer role score = (1*75 + 2*25) / 3 = 41.667. Supervisor: c1 = 4 -> 100, c2 = 2 -> 50: (100 + 100) / 3 = 66.667.
    # Weights peer 2, supervisor 1: final = (2*41.667 + 66.667) / 3 = 50.
    result = final_score(
        criteria=CRITERIA, role_weights={"peer": 2, "supervisor": 1}, aggregation="median",
        peers=[(1.0, {1: 2, 2: 1}), (1.0, {1: 3, 2: 1}), (1.0, {1: 4, 2: 4})],
        supervisors=[{1: 4, 2: 2}], self_review={1: 4, 2: 4},
    )
    assert result.roles["peer"] == pytest.approx(125 / 3)
    assert result.roles["supervisor"] == pytest.approx(200 / 3)
    assert result.score == pytest.approx(50.0)
    # Per criterion: combined c1 = (2*75 + 100) / 3 = 83.333; self 100 -> gap 16.667 (shown, not averaged in).
    assert result.criteria[1]["combined"] == pytest.approx(250 / 3)
    assert result.criteria[1]["self"] == 100 and result.criteria[1]["self_gap"] == pytest.approx(50 / 3)
    assert result.criteria[2]["combined"] == pytest.approx((2 * 25 + 50) / 3)
    without_self = final_score(criteria=CRITERIA, role_weights={"peer": 2, "supervisor": 1}, aggregation="median",
                               peers=[(1.0, {1: 2, 2: 1}), (1.0, {1: 3, 2: 1}), (1.0, {1: 4, 2: 4})],
                               supervisors=[{1: 4, 2: 2}])
    assert without_self.score == result.score  # the self-review never moves the score


def test_final_score_calibrated_weighted_mean():
    # Criterion 1: weights 1.0, 0.5, 0.25 on 100, 50, 0 -> (100 + 25 + 0) / 1.75 = 71.4286
    # Criterion 2: same weights on 0, 100, 100 -> (0 + 50 + 25) / 1.75 = 42.857
    # Peer role score = (71.4286 + 2 * 42.857) / 3 = 52.381; peers alone count (supervisor weight 0, no review).
    result = final_score(
        criteria=CRITERIA, role_weights={"peer": 1, "supervisor": 0}, aggregation="calibrated_mean",
        peers=[(1.0, {1: 4, 2: 0}), (0.5, {1: 2, 2: 4}), (0.25, {1: 0, 2: 4})],
    )
    assert result.criteria[1]["peer"] == pytest.approx(125 / 1.75)
    assert result.criteria[2]["peer"] == pytest.approx(75 / 1.75)
    assert result.score == pytest.approx((125 / 1.75 + 2 * 75 / 1.75) / 3)


def test_final_score_falls_to_the_supervisor_without_peers_and_adds_the_partner():
    # No peer review: the supervisor takes the peers' weight (2 + 1). Supervisor: c1 3 -> 75, c2 2 -> 50:
    # (75 + 100) / 3 = 58.333. Partner rating 5 -> 100 with weight 1: final = (3 * 58.333 + 100) / 4 = 68.75.
    result = final_score(criteria=CRITERIA, role_weights={"peer": 2, "supervisor": 1, "partner": 1},
                         aggregation="median", supervisors=[{1: 3, 2: 2}], partners=[5])
    assert result.fallback_to_supervisor
    assert result.weights == {"supervisor": 3.0, "partner": 1.0}
    assert result.score == pytest.approx(68.75)
    nothing = final_score(criteria=CRITERIA, role_weights={"peer": 1}, aggregation="median")
    assert nothing.score is None


def test_levels_are_scaled_from_their_own_range():
    spec = CriterionSpec(9, 1.0, 1, 5)
    assert (spec.scale(1), spec.scale(3), spec.scale(5)) == (0.0, 50.0, 100.0)
