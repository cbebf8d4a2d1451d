"""Training and customer satisfaction: a cohort's change in CSAT or quality scores before and after a course.

The cohort: the organization's people who completed ``course`` with a completion date in [completed_from,
completed_to] (optionally only those of one department, or registered in one workshop session of the course).
For each person, with ``c`` their completion date and ``W`` the window (default 90 days): the mean of their
scores whose period lies wholly within [c - W, c - 1] (before) and wholly within [c + 1, c + W] (after); a period
that spans the completion day is left out. Each score is first put on 0-100 (``(score - min) / (max - min) * 100``),
so scales can be mixed; means are plain means of rows (not weighted by responses). People with no score on
either side are left out (``without_scores`` counts them).

The cohort's change is the mean of the paired differences (after - before) with a 95% t interval
(``mean +/- t(0.975, n - 1) * sd / sqrt(n)``). The comparison group: members of the same organization with
scores who had not completed the course by the end of the cohort's latest after-window, measured over matched
windows around one reference date, the cohort's median completion date (the lower middle one); their change
is computed the same way. The difference between the two changes has a Welch interval (``se = sqrt(s1^2/n1 + s2^2/n2)``,
Welch-Satterthwaite degrees of freedom).

Observational, not a controlled trial: who takes a course is chosen (selection), people picked after a bad
month tend to improve anyway (regression to the mean), and seasons move scores for everyone (partly what the
comparison group is for). Disclosure control (``lms.disclosure``): a group under ``MIN_GROUP`` people (the
growth report's minimum group size) shows no figure; the difference is shown only when both groups are.
Only aggregates leave this module.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median_low
from typing import Any

from django.db.models import Q

from assessments.instruments.growth_report import MIN_GROUP
from assessments.outcomes.errors import OutcomeErrorCode
from assessments.outcomes.models import OutcomeScore
from assessments.roleplays.statistics import t_quantile
from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.workshops.models import Registration
from lms.disclosure import cells_suppress
from lms.errors import ApplicationError, NotFound
from lms.models import Organization

CONFIDENCE = 0.95
DEFAULT_WINDOW = 90
MAX_WINDOW = 730
CAVEAT = ("Observational, not a controlled trial: people who take a course are not chosen at random (selection), "
          "scores picked after a bad spell tend to recover anyway (regression to the mean), and seasons move "
          "everyone's scores. The comparison group helps with the last, not the first two.")


@dataclass(frozen=True)
class ReportQuery:
    organization: Organization
    course_slug: str
    completed_from: date
    completed_to: date
    metric: str = OutcomeScore.Metric.CSAT
    window_days: int = DEFAULT_WINDOW
    department_id: int | None = None
    session_id: int | None = None


def _summary(differences: list[float]) -> dict[str, Any]:
    n = len(differences)
    mean = sum(differences) / n if n else None
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1)) if n > 1 else None
    margin = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n) if sd is not None else None
    return {"n": n, "mean_change": mean, "sd": sd,
            "ci_low": None if margin is None else mean - margin, "ci_high": None if margin is None else mean + margin}


def welch(first: list[float], second: list[float]) -> tuple[float, float, float] | None:
    """(difference of means, low, high) of a Welch 95% interval; None when a group has under two values or
    neither varies."""
    n1, n2 = len(first), len(second)
    if n1 < 2 or n2 < 2:
        return None
    m1, m2 = sum(first) / n1, sum(second) / n2
    v1 = sum((x - m1) ** 2 for x in first) / (n1 - 1) / n1
    v2 = sum((x - m2) ** 2 for x in second) / (n2 - 1) / n2
    if v1 + v2 == 0:
        return None
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    margin = t_quantile(0.5 + CONFIDENCE / 2, df) * math.sqrt(v1 + v2)
    return m1 - m2, m1 - m2 - margin, m1 - m2 + margin


def _change(scores: list[tuple[date, date, float]], reference: date, window: int) -> float | None:
    before = [value for start, end, value in scores if start >= reference - timedelta(days=window) and end < reference]
    after = [value for start, end, value in scores if start > reference and end <= reference + timedelta(days=window)]
    if not before or not after:
        return None
    return sum(after) / len(after) - sum(before) / len(before)


def _cohort(query: ReportQuery, course: Course) -> dict[int, date]:
    """{user id: completion date} of the cohort."""
    enrollments = Enrollment.objects.filter(
        course=course, organization=query.organization, status=Enrollment.Status.COMPLETED,
        completed_at__date__gte=query.completed_from, completed_at__date__lte=query.completed_to)
    if query.department_id:
        enrollments = enrollments.filter(user__memberships__organization=query.organization,
                                         user__memberships__department_id=query.department_id)
    if query.session_id:
        enrollments = enrollments.filter(pk__in=Registration.objects.filter(
            session_id=query.session_id, session__workshop__activity__course=course).values("enrollment_id"))
    return {user_id: completed.date() for user_id, completed in enrollments.values_list("user_id", "completed_at")}


def _scores(query: ReportQuery) -> dict[int, list[tuple[date, date, float]]]:
    by_user: dict[int, list[tuple[date, date, float]]] = defaultdict(list)
    for row in OutcomeScore.objects.filter(organization=query.organization, metric=query.metric).values_list(
            "membership__user_id", "period_start", "period_end", "score", "scale_min", "scale_max"):
        user_id, start, end, score, low, high = row
        by_user[user_id].append((start, end, float((score - low) / (high - low) * 100)))
    return by_user


def _block(summary: dict[str, Any], hidden: str | None) -> dict[str, Any]:
    if hidden:
        return {"suppressed": True, "suppression": hidden, "n": None, "mean_change": None, "ci_low": None,
                "ci_high": None}
    return {"suppressed": False, "suppression": None, "n": summary["n"], "mean_change": _round(summary["mean_change"]),
            "ci_low": _round(summary["ci_low"]), "ci_high": _round(summary["ci_high"])}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def outcome_course(*, organization: Organization, slug: str) -> Course:
    course = Course.objects.filter(slug=slug).filter(
        Q(organization__isnull=True) | Q(organization=organization)).first()
    if course is None:
        raise NotFound("No such course.", code=OutcomeErrorCode.OUTCOME_COURSE_NOT_FOUND)
    return course


def outcome_report(query: ReportQuery) -> dict[str, Any]:
    """The report (module docstring) in a fixed number of queries whatever the size."""
    if query.completed_to < query.completed_from or not 1 <= query.window_days <= MAX_WINDOW:
        raise ApplicationError(f"completed_to comes before completed_from, or the window is not 1 to {MAX_WINDOW} "
                               "days.", code=OutcomeErrorCode.OUTCOME_INVALID_REPORT)
    course = outcome_course(organization=query.organization, slug=query.course_slug)
    cohort = _cohort(query, course)
    scores = _scores(query)
    window = query.window_days
    trained = [change for user_id, completed in cohort.items()
               if (change := _change(scores.get(user_id, []), completed, window)) is not None]
    comparison: list[float] = []
    reference = median_low(sorted(cohort.values())) if cohort else None
    if reference is not None:
        latest = max(cohort.values()) + timedelta(days=window)
        done = set(Enrollment.objects.filter(course=course, completed_at__date__lte=latest).values_list(
            "user_id", flat=True))
        comparison = [change for user_id, rows in scores.items() if user_id not in cohort and user_id not in done
                      if (change := _change(rows, reference, window)) is not None]
    hidden = cells_suppress({"trained": len(trained), "comparison": len(comparison)}, [], minimum=MIN_GROUP)
    both = not hidden and welch(trained, comparison)
    return {
        "course": course.slug, "course_title": course.title, "metric": query.metric, "window_days": window,
        "completed_from": query.completed_from, "completed_to": query.completed_to,
        "reference_date": reference, "min_group_size": MIN_GROUP, "confidence": CONFIDENCE, "scale": "0-100",
        "completed": len(cohort), "without_scores": len(cohort) - len(trained) if "trained" not in hidden else None,
        "trained": _block(_summary(trained), hidden.get("trained")),
        "comparison": _block(_summary(comparison), hidden.get("comparison")),
        "difference": {"shown": bool(both), "estimate": _round(both[0]) if both else None,
                       "ci_low": _round(both[1]) if both else None, "ci_high": _round(both[2]) if both else None,
                       "method": "welch"},
        "trained_method": "paired t", "caveat": CAVEAT,
    }
