"""Agreement with its uncertainty, pure: alpha against the krippendorff package, the seeded bootstrap, its
coverage in a simulation with known reliability, undefined alpha, leniency and the live calibration weight."""
from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from assessments.roleplays.agreement import alpha_with_interval, leniency_of, live_calibration_weight
from assessments.roleplays.statistics import NO_VARIATION, TOO_FEW_VALUES


def _package_alpha(units: list[list[int]]) -> float:
    width = max(len(values) for values in units)
    matrix = np.full((width, len(units)), np.nan)
    for u, values in enumerate(units):
        matrix[:len(values), u] = values
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")


def test_alpha_equals_the_package_on_random_data():
    rng = random.Random(23)
    compared = 0
    for _ in range(200):
        levels = rng.randint(2, 5)
        units = [[rng.randrange(levels) for _ in range(rng.randint(1, 5))] for _ in range(rng.randint(2, 30))]
        ours = alpha_with_interval(units, resamples=0)
        if ours.alpha is None:
            continue
        assert ours.alpha == pytest.approx(_package_alpha(units), abs=1e-9)
        assert ours.units == sum(1 for values in units if len(values) >= 2)
        compared += 1
    assert compared > 150


def _simulated(rng: random.Random, units: int, *, raters: int = 3, keep: float = 0.6, levels: int = 5):
    """Each rater gives the unit's true level with probability ``keep``, otherwise a level at random."""
    data = []
    for _ in range(units):
        truth = rng.randrange(levels)
        data.append([truth if rng.random() < keep else rng.randrange(levels) for _ in range(raters)])
    return data


def test_the_interval_is_reproducible_with_a_seed_and_surrounds_alpha():
    data = _simulated(random.Random(5), 60)
    first = alpha_with_interval(data, resamples=300, seed=11)
    again = alpha_with_interval(data, resamples=300, seed=11)
    other = alpha_with_interval(data, resamples=300, seed=12)
    assert first == again and (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert first.ci_low < first.alpha < first.ci_high and first.resamples == 300
    assert (first.units, first.values, first.reason, first.seed) == (60, 180, None, 11)


def test_the_interval_covers_the_true_alpha_at_about_the_nominal_rate():
    # The true alpha of the generating process is alpha on a very large sample from it. 200 datasets of 50
    # units, 200 resamples each (fewer than the default 1000, to keep the test short): a 95% interval should
    # cover the truth in about 95% of them; the binomial spread over 200 datasets is about 1.5 points.
    rng = random.Random(2026)
    truth = alpha_with_interval(_simulated(rng, 100_000), resamples=0).alpha
    assert truth == pytest.approx(0.36, abs=0.02)
    covered = 0
    for dataset in range(200):
        estimate = alpha_with_interval(_simulated(rng, 50), resamples=200, seed=dataset)
        covered += estimate.ci_low <= truth <= estimate.ci_high
    assert 0.90 <= covered / 200 <= 0.99


def test_undefined_alpha_has_a_reason_and_is_not_flagged():
    same = alpha_with_interval([[3, 3], [3, 3, 3]], resamples=50)
    assert (same.alpha, same.reason, same.flagged(), same.ci_low) == (None, NO_VARIATION, False, None)
    lone = alpha_with_interval([[2], [4]], resamples=50)
    assert (lone.alpha, lone.reason, lone.flagged(), lone.units) == (None, TOO_FEW_VALUES, False, 0)
    poor = alpha_with_interval([[0, 4], [4, 0], [1, 3], [3, 1]], resamples=50)
    assert poor.alpha < 0 and poor.flagged() and poor.reason is None


def test_leniency_is_a_signed_magnitude_with_a_label():
    lenient = leniency_of([1, 1, 0.5, 1.5])
    assert (lenient.leniency, lenient.n, lenient.label) == (1.0, 4, "lenient")
    severe = leniency_of([-2, -1])
    assert (severe.leniency, severe.n, severe.label) == (-1.5, 2, "severe")
    assert leniency_of([0.5, -0.5, 0.4]).label == "in_line"
    assert leniency_of([]).label is None and leniency_of([]).leniency is None


def test_live_weight_is_held_between_floor_and_cap():
    exact = live_calibration_weight([(3, 3, 4)] * 4, threshold=0.7, floor=0.25, cap=0.9)
    assert (exact.agreement, exact.weight, exact.flagged, exact.pairs) == (1.0, 0.9, False, 4)
    opposite = live_calibration_weight([(0, 4, 4), (4, 0, 4)], threshold=0.7, floor=0.25, cap=1.0)
    assert (opposite.agreement, opposite.weight, opposite.flagged) == (0.0, 0.25, True)
    # 1 - mean(1/4, 0) = 0.875 >= 0.7: the weight is the agreement itself, between floor and cap
    near = live_calibration_weight([(3, 4, 4), (2, 2, 4), (1, 1, 0)], threshold=0.7, floor=0.25, cap=1.0)
    assert (near.agreement, near.weight, near.pairs) == (0.875, 0.875, 2)
    assert live_calibration_weight([(1, 1, 0)], threshold=0.7, floor=0.25, cap=1.0) is None
