"""Role-play scoring, pure functions (no database): calibration weights and the final score.

Calibration. A reviewer scores the scenario's reference performances, which experts have
scored. Over every criterion c of every example e the reviewer scored,

    agreement A = 1 - mean(|reviewer points - expert points| / (max points of c - min points of c))

so A is 1 for exact agreement and 0 for always being at the opposite end of the scale. The
reviewer's weight is ``w = A`` when A is at least the scenario's threshold (default 0.70), and
``w = A / 2`` (flagged) below it: a flagged reviewer still counts, but half as much.

Final score. Each criterion's level is put on 0-100: ``S = 100 * (points - min) / (max - min)``.
Per criterion, the peers' S values combine by their median, or by the calibrated weighted mean
``sum(w_r * S_r) / sum(w_r)``; supervisor and instructor reviews by their mean. A role's score is
the criterion-weighted mean ``R = sum(weight_c * S_c) / sum(weight_c)``; the partner's is
``(cared-for rating - 1) * 25``. The final score is the role-weighted mean
``sum(W_role * R_role) / sum(W_role)`` over the roles that have a review, with the scenario's role
weights. When no peer review came in (too few peers, or all late), the supervisor's review takes
the peers' weight too: that is the fallback. The self-review never counts: it is reported beside
the combined score of each criterion as a gap (self minus combined).
"""
from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COUNTING_ROLES = ("peer", "supervisor", "partner")


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: float
    min_points: int
    max_points: int

    def scale(self, points: float) -> float:
        span = self.max_points - self.min_points
        return 100.0 * (points - self.min_points) / span if span else 100.0


@dataclass(frozen=True)
class Calibration:
    agreement: float
    weight: float
    flagged: bool
    pairs: int


def calibration_weight(pairs: Sequence[tuple[int, int, int]], threshold: float) -> Calibration | None:
    """``pairs``: (reviewer points, expert points, level range of the criterion) for each criterion of
    each example the reviewer scored. None when there is nothing to compare."""
    usable = [(mine, expert, span) for mine, expert, span in pairs if span > 0]
    if not usable:
        return None
    agreement = 1.0 - sum(abs(mine - expert) / span for mine, expert, span in usable) / len(usable)
    flagged = agreement < threshold
    return Calibration(agreement, agreement / 2 if flagged else agreement, flagged, len(usable))


@dataclass
class FinalScore:
    criteria: dict[int, dict[str, float | None]] = field(default_factory=dict)
    roles: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    fallback_to_supervisor: bool = False


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def final_score(
    *, criteria: Sequence[CriterionSpec], role_weights: Mapping[str, float], aggregation: str,
    peers: Sequence[tuple[float, Mapping[int, int]]] = (), supervisors: Sequence[Mapping[int, int]] = (),
    partners: Sequence[int] = (), self_review: Mapping[int, int] | None = None,
) -> FinalScore:
    """``peers``: (calibration weight, {criterion id: points}); ``supervisors``: {criterion id: points};
    ``partners``: cared-for ratings 1-5. See the module docstring for the formula."""
    result = FinalScore()
    weights = {role: float(role_weights.get(role, 0) or 0) for role in COUNTING_ROLES}
    if not peers and supervisors and weights["peer"] > 0:
        weights["supervisor"] += weights["peer"]
        result.fallback_to_supervisor = True
    per_role: dict[str, dict[int, float]] = {"peer": {}, "supervisor": {}}
    for spec in criteria:
        peer_values = [(w, spec.scale(scores[spec.id])) for w, scores in peers if spec.id in scores]
        if peer_values:
            if aggregation == "calibrated_mean" and sum(w for w, _ in peer_values) > 0:
                per_role["peer"][spec.id] = sum(w * s for w, s in peer_values) / sum(w for w, _ in peer_values)
            else:
                per_role["peer"][spec.id] = statistics.median(s for _, s in peer_values)
        supervisor_value = _mean([spec.scale(scores[spec.id]) for scores in supervisors if spec.id in scores])
        if supervisor_value is not None:
            per_role["supervisor"][spec.id] = supervisor_value
    total_weight = sum(spec.weight for spec in criteria)
    for role, values in per_role.items():
        if values and len(values) == len(criteria) and total_weight:
            result.roles[role] = sum(spec.weight * values[spec.id] for spec in criteria) / total_weight
    if partners:
        result.roles["partner"] = _mean([(rating - 1) * 25.0 for rating in partners])
    present = {role: weights[role] for role in result.roles if weights[role] > 0}
    result.weights = present
    if present:
        result.score = sum(present[role] * result.roles[role] for role in present) / sum(present.values())
    rubric_roles = {role: w for role, w in present.items() if role in per_role}
    for spec in criteria:
        combined = None
        if rubric_roles:
            combined = sum(w * per_role[role][spec.id] for role, w in rubric_roles.items()) / sum(
                rubric_roles.values())
        own = spec.scale(self_review[spec.id]) if self_review and spec.id in self_review else None
        result.criteria[spec.id] = {
            "peer": per_role["peer"].get(spec.id), "supervisor": per_role["supervisor"].get(spec.id),
            "combined": combined, "self": own,
            "self_gap": own - combined if own is not None and combined is not None else None,
        }
    return result
