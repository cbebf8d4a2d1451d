"""A role-play performance as xAPI statements: "attempted" when submitted, "scored" when its score is final."""
from __future__ import annotations

from assessments.roleplays.models import Performance
from courses.xapi.services.events import xapi_activity_result_record


def performance_submitted_record(*, performance: Performance) -> int:
    if performance.enrollment is None or performance.submitted_at is None:
        return 0  # a reference performance (calibration) belongs to no learner
    written = xapi_activity_result_record(
        enrollment=performance.enrollment, activity=performance.scenario.activity,
        event=f"roleplay-performance:{performance.pk}:attempted", verb="attempted", at=performance.submitted_at)
    return int(written is not None)


def performance_scored_record(*, performance: Performance) -> int:
    if performance.enrollment is None or performance.scored_at is None or performance.final_score is None:
        return 0
    written = xapi_activity_result_record(
        enrollment=performance.enrollment, activity=performance.scenario.activity,
        event=f"roleplay-performance:{performance.pk}:scored", verb="scored", at=performance.scored_at,
        score=performance.final_score, success=bool(performance.passed), completion=True)
    return int(written is not None)
