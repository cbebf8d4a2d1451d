"""Statistics written here, without numpy or scipy: Krippendorff's alpha (ordinal), Student's t
quantile, and paired before/after summaries.

Krippendorff's alpha, ordinal metric. For units u with m_u >= 2 pairable values, the coincidence
matrix is ``o[c][k] = sum_u (number of ordered c-k pairs in u) / (m_u - 1)``; ``n_c`` its row sums
and ``n`` their total. The ordinal distance between values c <= k is
``delta2(c, k) = (n_c + ... + n_k - (n_c + n_k) / 2) ** 2``, so
``alpha = 1 - (n - 1) * sum o[c][k] delta2(c, k) / sum n_c n_k delta2(c, k)``. Alpha is undefined
(None) when fewer than two values are pairable or every pairable value is the same.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TOO_FEW_VALUES = "too_few_values"  # why alpha is undefined: fewer than two pairable values
NO_VARIATION = "no_variation"  # ... or every pairable value is the same
ALPHA_THRESHOLD = 0.667  # under this, agreement is too weak to draw conclusions from


@dataclass(frozen=True)
class Alpha:
    alpha: float | None
    units: int  # units with at least two values (pairable)
    values: int  # pairable values


def unit_coincidences(values: Sequence[float]) -> tuple[tuple[float, float, float], ...]:
    """One unit's share of the coincidence table: (c, k, weight) for each ordered pair of its values."""
    weight = 1.0 / (len(values) - 1)
    counts = Counter(values)
    entries = []
    for c, count_c in counts.items():
        for k, count_k in counts.items():
            pairs = count_c * (count_k - 1) if c == k else count_c * count_k
            if pairs:
                entries.append((c, k, pairs * weight))
    return tuple(entries)


def alpha_from_coincidences(coincidences: dict[tuple[float, float], float]
                            ) -> tuple[float | None, float, str | None]:
    """Alpha from a coincidence table: (alpha, n, reason when undefined)."""
    marginals: Counter[float] = Counter()
    for (c, _), value in coincidences.items():
        marginals[c] += value
    total = sum(marginals.values())
    domain = sorted(value for value, count in marginals.items() if count > 0)
    if total <= 1:
        return None, total, TOO_FEW_VALUES
    if len(domain) < 2:
        return None, total, NO_VARIATION
    cumulative, running = {}, 0.0
    for value in domain:
        running += marginals[value]
        cumulative[value] = running

    def delta2(c: float, k: float) -> float:
        low, high = (c, k) if c <= k else (k, c)
        span = cumulative[high] - cumulative[low] + marginals[low]
        return (span - (marginals[low] + marginals[high]) / 2) ** 2

    observed = sum(value * delta2(c, k) for (c, k), value in coincidences.items() if value)
    expected = sum(marginals[c] * marginals[k] * delta2(c, k) for c in domain for k in domain)
    return 1.0 - (total - 1) * observed / expected, total, None


def krippendorff_alpha_ordinal(units: Iterable[Sequence[float]]) -> Alpha:
    """``units``: for each unit, the values its raters gave (missing values left out)."""
    pairable = [list(values) for values in units if len(values) >= 2]
    table: dict[tuple[float, float], float] = {}
    for values in pairable:
        for c, k, weight in unit_coincidences(values):
            table[(c, k)] = table.get((c, k), 0.0) + weight
    alpha, total, _reason = alpha_from_coincidences(table)
    return Alpha(alpha, len(pairable), round(total))


# --- Student's t ----------------------------------------------------------------------------

def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny, epsilon = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < epsilon:
            break
    return result


def regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * regularized_beta(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The value below which a t(df) variable falls with probability ``p`` (bisection, 1e-12)."""
    if not 0 < p < 1:
        raise ValueError("p is strictly between 0 and 1.")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


# --- Paired before/after ----------------------------------------------------------------------

@dataclass(frozen=True)
class Paired:
    n: int
    mean_before: float
    mean_after: float
    mean_difference: float
    ci_low: float | None
    ci_high: float | None
    cohens_dz: float | None


def paired_summary(pairs: Sequence[tuple[float, float]], confidence: float = 0.95) -> Paired:
    """Mean difference (after - before) with a t confidence interval, and Cohen's d_z = mean / sd of
    the differences. Needs two pairs or more for an interval; d_z is None when every difference is equal."""
    n = len(pairs)
    if n == 0:
        raise ValueError("No pairs.")
    before = sum(b for b, _ in pairs) / n
    after = sum(a for _, a in pairs) / n
    differences = [a - b for b, a in pairs]
    mean = sum(differences) / n
    if n < 2:
        return Paired(n, before, after, mean, None, None, None)
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
    margin = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return Paired(n, before, after, mean, mean - margin, mean + margin, mean / sd if sd > 0 else None)


def normalized_gain(before: float, after: float, maximum: float = 100.0) -> float | None:
    """Hake's normalized gain on group means: (after - before) / (maximum - before)."""
    if before >= maximum:
        return None
    return (after - before) / (maximum - before)
