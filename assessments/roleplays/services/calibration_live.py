"""Calibration weights refreshed from live agreement with the supervisors (``agreement.live_calibration_weight``).

For every peer who reviewed learners' performances of a scenario that a supervisor reviewed too, the peer's
points on each criterion are compared with the supervisors' mean points on it. Once at least
``ROLEPLAY_LIVE_MIN_PAIRS`` criterion scores compare, the weight the peer's scores carry becomes the live one,
held between ``ROLEPLAY_LIVE_WEIGHT_FLOOR`` and ``ROLEPLAY_LIVE_WEIGHT_CAP``; before that only the live
agreement is recorded beside the expert calibration. The role-play sweep runs it; running it twice changes
nothing.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from assessments.roleplays.agreement import live_calibration_weight
from assessments.roleplays.models import Criterion, ReviewerCalibration, ReviewerRole, ReviewScore, Scenario


def _four(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


def calibration_live_refresh(*, scenario: Scenario) -> int:
    """Refresh the live agreement (and, with enough evidence, the weight) of the scenario's peers; returns how
    many calibrations changed."""
    rows = ReviewScore.objects.filter(
        review__performance__scenario=scenario, review__performance__is_reference=False,
        review__role__in=[ReviewerRole.PEER, ReviewerRole.SUPERVISOR]).values_list(
        "review__performance_id", "criterion_id", "review__reviewer_id", "review__role", "points")
    supervisors: dict[tuple[int, int], list[int]] = defaultdict(list)
    peers: list[tuple[int, int, int, int]] = []
    for performance_id, criterion_id, reviewer_id, role, points in rows:
        if role == ReviewerRole.SUPERVISOR:
            supervisors[(performance_id, criterion_id)].append(points)
        else:
            peers.append((performance_id, criterion_id, reviewer_id, points))
    ranges = Criterion.objects.filter(rubric_id=scenario.rubric_id).annotate(
        lo=Min("levels__points"), hi=Max("levels__points")).values("pk", "lo", "hi")
    spans = {c["pk"]: (c["hi"] or 0) - (c["lo"] or 0) for c in ranges}
    pairs: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for performance_id, criterion_id, reviewer_id, points in peers:
        theirs = supervisors.get((performance_id, criterion_id))
        if theirs:
            pairs[reviewer_id].append((points, sum(theirs) / len(theirs), spans.get(criterion_id, 0)))
    changed = 0
    for reviewer_id, compared in sorted(pairs.items()):
        result = live_calibration_weight(
            compared, threshold=float(scenario.calibration_threshold), floor=settings.ROLEPLAY_LIVE_WEIGHT_FLOOR,
            cap=settings.ROLEPLAY_LIVE_WEIGHT_CAP)
        if result is None:
            continue
        enough = result.pairs >= settings.ROLEPLAY_LIVE_MIN_PAIRS
        with transaction.atomic():
            calibration = ReviewerCalibration.objects.select_for_update().filter(
                scenario=scenario, reviewer_id=reviewer_id).first()
            if calibration is None and not enough:
                continue
            if calibration is None:
                calibration = ReviewerCalibration(scenario=scenario, reviewer_id=reviewer_id, examples=0,
                                                  agreement=_four(result.agreement))
            before = (calibration.live_agreement, calibration.live_pairs, calibration.weight, calibration.flagged)
            calibration.live_agreement, calibration.live_pairs = _four(result.agreement), result.pairs
            if enough:
                calibration.weight, calibration.flagged = _four(result.weight), result.flagged
            if calibration.pk is None or before != (calibration.live_agreement, calibration.live_pairs,
                                                    calibration.weight, calibration.flagged):
                calibration.updated_at = timezone.now()
                calibration.save()
                changed += 1
    return changed


def calibrations_live_refresh() -> int:
    """Every scenario whose learners' work a supervisor reviewed."""
    scenarios = Scenario.objects.filter(performances__is_reference=False,
                                        performances__reviews__role=ReviewerRole.SUPERVISOR).distinct()
    return sum(calibration_live_refresh(scenario=scenario) for scenario in scenarios.order_by("pk"))
