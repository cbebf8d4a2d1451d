"""The assessments' history for the xAPI backfill (courses.xapi.services.backfill): submitted quiz
attempts and role-play performances. Imported by AssessmentsConfig.ready(), so courses never imports it."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial

from assessments.quizzes.models import Attempt
from assessments.quizzes.services.xapi import attempt_statements_record
from assessments.roleplays.models import Performance
from assessments.roleplays.services.xapi import performance_scored_record, performance_submitted_record
from courses.xapi.services.backfill import Step, backfill_source
from lms.models import Organization


@backfill_source
def assessment_history(organization: Organization, since: datetime | None) -> Iterator[Step]:
    attempts = Attempt.objects.filter(enrollment__organization=organization, status=Attempt.Status.SUBMITTED
                                      ).select_related("enrollment__course", "enrollment__user", "quiz__activity")
    if since:
        attempts = attempts.filter(submitted_at__gte=since)
    for attempt in attempts.order_by("id").iterator(chunk_size=200):
        yield partial(attempt_statements_record, attempt=attempt)
    performances = Performance.objects.filter(enrollment__organization=organization).select_related(
        "enrollment__course", "enrollment__user", "scenario__activity")
    if since:
        performances = performances.filter(submitted_at__gte=since)
    for performance in performances.order_by("id").iterator(chunk_size=200):
        yield partial(performance_submitted_record, performance=performance)
        yield partial(performance_scored_record, performance=performance)
