"""Our Krippendorff's alpha (ordinal) against the ``krippendorff`` package, the t quantile, paired statistics."""
from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest

from assessments.roleplays.statistics import krippendorff_alpha_ordinal, normalized_gain, paired_summary, t_quantile


def _random_reliability_data(rng: random.Random) -> list[list[int | None]]:
    raters, units = rng.randint(2, 8), rng.randint(2, 40)
    levels = rng.randint(2, 5)
    missing = rng.choice([0.0, 0.2, 0.5])
    return [[rng.randrange(levels) if rng.random() >= missing else None for _ in range(units)] for _ in range(raters)]


def test_alpha_equals_the_krippendorff_package_on_random_data():
    rng = random.Random(20261126)
    compared = 0
    for _ in range(300):
        matrix = _random_reliability_data(rng)
        units = [[row[u] for row in matrix if row[u] is not None] for u in range(len(matrix[0]))]
        ours = krippendorff_alpha_ordinal(units)
        array = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
        if ours.alpha is None:  # fewer than two pairable values, or only one value: undefined
            continue
        theirs = krippendorff.alpha(reliability_data=array, level_of_measurement="ordinal")
        assert ours.alpha == pytest.approx(theirs, abs=1e-9)
        assert ours.units == sum(1 for values in units if len(values) >= 2)
        compared += 1
    assert compared > 200


def test_alpha_on_correlated_raters_is_high_and_counts_units_and_values():
    rng = random.Random(7)
    truth = [rng.randrange(5) for _ in range(40)]
    units = [[max(0, min(4, t + rng.choice([0, 0, 0, 1, -1]))) for _ in range(3)] for t in truth]
    result = krippendorff_alpha_ordinal(units)
    array = np.array(units, dtype=float).T
    assert result.alpha == pytest.approx(krippendorff.alpha(reliability_data=array, level_of_measurement="ordinal"))
    assert result.alpha > 0.667 and (result.units, result.values) == (40, 120)


def test_alpha_is_undefined_without_variation_or_pairs():
    assert krippendorff_alpha_ordinal([[2, 2], [2, 2, 2]]).alpha is None
    assert krippendorff_alpha_ordinal([[1], [3]]).alpha is None
    assert krippendorff_alpha_ordinal([[0, 4], [4, 0]]).alpha < 0  # systematic disagreement


@pytest.mark.parametrize(("df", "expected"), [(1, 12.706204736), (2, 4.302652730), (4, 2.776445105),
                                              (10, 2.228138852), (30, 2.042272456), (1000, 1.962339081)])
def test_t_quantile_matches_published_values(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-8)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-8)


def test_paired_summary_on_a_hand_computed_example():
    # differences 1, 0.5, 0.5, 1, 0: mean 0.6; sd = sqrt(0.70 / 4) = 0.4183300; se = sd / sqrt(5) = 0.1870829;
    # t(0.975, 4) = 2.7764451 -> margin 0.5194253; d_z = 0.6 / 0.418330 = 1.434274
    pairs = [(2.0, 3.0), (2.5, 3.0), (3.0, 3.5), (3.5, 4.5), (3.0, 3.0)]
    summary = paired_summary(pairs)
    assert summary.n == 5
    assert summary.mean_before == pytest.approx(2.8) and summary.mean_after == pytest.approx(3.4)
    assert summary.mean_difference == pytest.approx(0.6)
    assert summary.ci_low == pytest.approx(0.6 - 0.5194253, abs=1e-6)
    assert summary.ci_high == pytest.approx(0.6 + 0.5194253, abs=1e-6)
    assert summary.cohens_dz == pytest.approx(0.6 / math.sqrt(0.175), abs=1e-9)


def test_paired_summary_edge_cases():
    single = paired_summary([(1.0, 2.0)])
    assert (single.ci_low, single.ci_high, single.cohens_dz) == (None, None, None)
    constant = paired_summary([(1.0, 2.0), (2.0, 3.0)])
    assert constant.ci_low == constant.ci_high == 1.0 and constant.cohens_dz is None
    with pytest.raises(ValueError):
        paired_summary([])


def test_normalized_gain():
    assert normalized_gain(40.0, 70.0) == pytest.approx(0.5)
    assert normalized_gain(100.0, 100.0) is None
    assert normalized_gain(50.0, 40.0) == pytest.approx(-0.2)
