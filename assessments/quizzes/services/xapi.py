"""A submitted quiz attempt as xAPI statements: "answered" (with its score), then "passed" or "failed"."""
from __future__ import annotations

from assessments.quizzes.models import Attempt
from courses.xapi.services.events import xapi_activity_result_record


def attempt_statements_record(*, attempt: Attempt) -> int:
    """Returns how many statements were written (0 when the organization sends no xAPI)."""
    if attempt.status != Attempt.Status.SUBMITTED or attempt.submitted_at is None:
        return 0
    enrollment, activity = attempt.enrollment, attempt.quiz.activity
    answered = xapi_activity_result_record(
        enrollment=enrollment, activity=activity, event=f"quiz-attempt:{attempt.pk}:answered",
        verb="answered", at=attempt.submitted_at, score=attempt.score, completion=True)
    verb = "passed" if attempt.passed else "failed"
    judged = xapi_activity_result_record(
        enrollment=enrollment, activity=activity, event=f"quiz-attempt:{attempt.pk}:{verb}",
        verb=verb, at=attempt.submitted_at, score=attempt.score, success=bool(attempt.passed))
    return (answered is not None) + (judged is not None)
