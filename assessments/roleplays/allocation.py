"""Peer allocation, a pure function (no database).

Within one group (same organization, and the same cohort when the scenario asks), the authors are
put in a random cycle (a seeded generator, so a round can be replayed) and the performance of the
author at position i is reviewed by the authors at positions i+1 ... i+k' (mod n), with
``k' = min(k, n - 1)``. So nobody reviews their own performance, nobody is given the same
performance twice, and every author reviews exactly k' performances: the load is equal (a
difference of at most one is what the issue allows). When ``n - 1 < k`` each performance is short
of ``k - k'`` peers: the shortfall is returned so the caller records the supervisor fallback.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Allocation:
    reviewers: dict[int, list[int]]  # performance id -> reviewer ids
    shortfall: dict[int, int]  # performance id -> peers missing


def allocate_group(performances: Sequence[tuple[int, int]], *, k: int, rng: random.Random) -> Allocation:
    """``performances``: (performance id, author id), one performance per author."""
    authors = [author for _, author in performances]
    if len(set(authors)) != len(authors):
        raise ValueError("One performance per author in a round.")
    order = list(performances)
    rng.shuffle(order)
    n = len(order)
    per_performance = min(k, max(n - 1, 0))
    reviewers: dict[int, list[int]] = {}
    shortfall: dict[int, int] = {}
    for index, (performance_id, _) in enumerate(order):
        reviewers[performance_id] = [order[(index + step) % n][1] for step in range(1, per_performance + 1)]
        shortfall[performance_id] = k - per_performance
    return Allocation(reviewers, shortfall)
