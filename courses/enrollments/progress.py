"""What one result does to a progress row, and what the progress rows make of an enrollment (percent,
final score, every required activity passed): pure functions, no database. ``services`` reads and
writes; the PostgreSQL path says the same as ``progress_apply`` in SQL (``_PROGRESS_UPSERT``)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from courses.enrollments.models import ActivityProgress


def progress_apply(progress: ActivityProgress, *, passed: bool, score: Decimal | None, seconds: int, now) -> None:
    """One more result on a progress row: a pass is never undone, the best score is kept."""
    progress.attempts += 1
    progress.last_seen_at = now
    progress.time_spent_seconds += seconds
    if score is not None and (progress.score is None or score > progress.score):
        progress.score = score
    if passed and progress.status != ActivityProgress.Status.PASSED:
        progress.status = ActivityProgress.Status.PASSED
        progress.completed_at = now
    elif not passed and progress.status != ActivityProgress.Status.PASSED:
        progress.status = ActivityProgress.Status.FAILED


def progress_recompute(activities: list[Mapping[str, Any]], rows: Mapping[int, Mapping[str, Any]]
                       ) -> tuple[int, Decimal | None, bool]:
    """Progress percent, final score and "every required activity passed", from the course's
    activities (id, required, weight) and the enrollment's progress rows by activity id (status, score)."""
    required = [a for a in activities if a["required"]] or activities
    total = sum(max(a["weight"], 1) for a in required)
    done = sum(max(a["weight"], 1) for a in required if rows.get(a["id"], {}).get("status") == "passed")
    percent = int(done * 100 // total) if total else 0

    def best(activity_id: int) -> Decimal:
        row = rows.get(activity_id)
        if row is None:
            return Decimal(0)
        if row["score"] is not None:
            return row["score"]
        return Decimal(100) if row["status"] == "passed" else Decimal(0)

    weighted, weights = Decimal(0), 0
    for activity in required:
        if activity["weight"]:
            weighted += best(activity["id"]) * activity["weight"]
            weights += activity["weight"]
    required_ids = {a["id"] for a in required}
    optional = sorted(
        ((best(a["id"]), a["weight"]) for a in activities
         if a["id"] not in required_ids and a["weight"] and a["id"] in rows),
        key=lambda item: item[0], reverse=True,
    )
    for score, weight in optional:
        if weights and score * weights <= weighted:  # would not raise the mean (nor would any after it)
            break
        weighted += score * weight
        weights += weight
    final = (weighted / weights).quantize(Decimal("0.01")) if weights else None
    all_passed = bool(required) and all(rows.get(a["id"], {}).get("status") == "passed" for a in required)
    return percent, final, all_passed
