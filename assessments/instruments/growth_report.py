"""The HR empathy-growth report: before/after instrument scores and first/last role-play scores.

Scope: the enrollments of the organizations where the caller is HR or org admin (an organization API
key: its own). Only aggregates leave this module: no person, no individual score.

Per course, and within it per cohort and per department (the learner's department in the
enrollment's organization), for the learners who answered both the before and the after survey
with a score (the same instrument):
- paired n, mean before, mean after, the mean difference (after - before) with its 95% confidence
  interval (``mean +/- t(0.975, n - 1) * sd / sqrt(n)``, sd of the differences), and Cohen's
  ``d_z = mean difference / sd of the differences``;
- for role-plays, over learners with two scored performances or more: n, the mean of their first and
  of their latest final score (0-100), and the normalized gain ``(last - first) / (100 - first)`` on
  those means.
A group of fewer than ``MIN_GROUP`` (5) people shows no figure at all (``suppressed``, ``suppression``
"primary"): small groups would identify people. Within a course, the total and the lists by cohort and by
department are one table (``lms.disclosure``): a list where one group is hidden hides another
(``suppression`` "complementary"), so no hidden group comes back by subtraction from the total or its
siblings; the instrument and the role-play blocks are tables of their own (different people).

The cohort of an enrollment is the cohort label of its latest role-play performance that has one
(cohort labels live on performances and allocation rounds; there is no other grouping yet).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from assessments.instruments.models import InstrumentResponse, Survey
from assessments.roleplays.models import Performance
from assessments.roleplays.statistics import normalized_gain, paired_summary
from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from lms.disclosure import Line, Reason, cells_suppress, list_lines
from lms.models import Membership, Role
from lms.scoping import is_unrestricted, organization_ids_for

MIN_GROUP = 5
NO_LABEL = ""


def enrollments_in_scope(*, actor: Any) -> QuerySet[Enrollment]:
    if is_unrestricted(actor):
        return Enrollment.objects.all()
    return Enrollment.objects.filter(organization_id__in=organization_ids_for(actor, Role.HR, Role.ORG_ADMIN))


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _instrument_block(pairs: list[tuple[float, float]], hidden: Reason | None) -> dict[str, Any]:
    if hidden or len(pairs) < MIN_GROUP:
        return {"suppressed": True, "suppression": hidden or "primary", "n": None, "mean_before": None,
                "mean_after": None, "mean_difference": None,
                "ci_low": None, "ci_high": None, "cohens_dz": None}
    summary = paired_summary(pairs)
    return {"suppressed": False, "suppression": None, "n": summary.n, "mean_before": _round(summary.mean_before),
            "mean_after": _round(summary.mean_after), "mean_difference": _round(summary.mean_difference),
            "ci_low": _round(summary.ci_low), "ci_high": _round(summary.ci_high),
            "cohens_dz": _round(summary.cohens_dz)}


def _rubric_block(pairs: list[tuple[float, float]], hidden: Reason | None) -> dict[str, Any]:
    if hidden or len(pairs) < MIN_GROUP:
        return {"suppressed": True, "suppression": hidden or "primary", "n": None, "mean_first": None,
                "mean_last": None, "normalized_gain": None}
    first = sum(b for b, _ in pairs) / len(pairs)
    last = sum(a for _, a in pairs) / len(pairs)
    return {"suppressed": False, "suppression": None, "n": len(pairs), "mean_first": _round(first, 2),
            "mean_last": _round(last, 2), "normalized_gain": _round(normalized_gain(first, last))}


def empathy_growth(*, actor: Any, course_slug: str | None = None, organization_id: int | None = None) -> dict[str, Any]:
    """The report (module docstring), in five queries whatever the size; ``organization_id`` narrows it to
    one of the actor's organizations (HR's workspace shows one organization at a time)."""
    enrollments = enrollments_in_scope(actor=actor)
    if organization_id is not None:
        enrollments = enrollments.filter(organization_id=organization_id)
    if course_slug:
        enrollments = enrollments.filter(course__slug=course_slug)
    scope = enrollments.values("pk")
    meta = {row["pk"]: row for row in enrollments.values("pk", "course_id", "user_id", "organization_id")}
    instrument_scores: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
    for enrollment_id, timing, instrument_id, score in InstrumentResponse.objects.filter(
            enrollment_id__in=scope, score__isnull=False).values_list(
            "enrollment_id", "survey__timing", "survey__instrument_id", "score"):
        instrument_scores[enrollment_id][timing] = (instrument_id, float(score))
    performances: dict[int, list[float]] = defaultdict(list)
    cohorts: dict[int, str] = {}
    for enrollment_id, status, final_score, cohort in Performance.objects.filter(
            enrollment_id__in=scope, is_reference=False).order_by("submitted_at", "id").values_list(
            "enrollment_id", "status", "final_score", "cohort"):
        if status == Performance.Status.SCORED and final_score is not None:
            performances[enrollment_id].append(float(final_score))
        if cohort:
            cohorts[enrollment_id] = cohort
    departments = {(m["user_id"], m["organization_id"]): m["department__name"] or NO_LABEL
                   for m in Membership.objects.filter(user_id__in=enrollments.values("user_id")).values(
                       "user_id", "organization_id", "department__name")}
    courses = {c.pk: c for c in Course.objects.filter(pk__in={row["course_id"] for row in meta.values()})}

    groups: dict[tuple[int, str, str], dict[str, list]] = defaultdict(lambda: {"instrument": [], "rubric": []})
    for enrollment_id, row in meta.items():
        keys = [(row["course_id"], "course", NO_LABEL),
                (row["course_id"], "cohort", cohorts.get(enrollment_id, NO_LABEL)),
                (row["course_id"], "department", departments.get((row["user_id"], row["organization_id"]), NO_LABEL))]
        measured = instrument_scores.get(enrollment_id, {})
        before, after = measured.get(Survey.Timing.BEFORE), measured.get(Survey.Timing.AFTER)
        scored = performances.get(enrollment_id, [])
        for key in keys:
            if before and after and before[0] == after[0]:
                groups[key]["instrument"].append((before[1], after[1]))
            if len(scored) >= 2:
                groups[key]["rubric"].append((scored[0], scored[-1]))
    shown = {key: data for key, data in groups.items() if data["instrument"] or data["rubric"]}
    hidden = _hidden_groups(shown)
    rows = []
    order = {"course": 0, "cohort": 1, "department": 2}
    for key, data in sorted(shown.items(), key=lambda item: (
            courses[item[0][0]].title, item[0][0], order[item[0][1]], item[0][2])):
        course_id, dimension, label = key
        course = courses[course_id]
        rows.append({"course": course.slug, "course_title": course.title, "dimension": dimension,
                     "group": label or None,
                     "instrument": _instrument_block(data["instrument"], hidden["instrument"].get(key)),
                     "rubric": _rubric_block(data["rubric"], hidden["rubric"].get(key))})
    return {"min_group_size": MIN_GROUP, "confidence": 0.95, "groups": rows}


def growth_tables(shown: dict[tuple[int, str, str], dict[str, list]], block: str) -> list[
        tuple[dict[tuple[int, str, str], int], list[Line]]]:
    """Per course, one block's published table: the counts of its groups and its lines (the course total
    is the total of the cohorts' list and of the departments' list)."""
    by_course: dict[int, dict[tuple[int, str, str], int]] = defaultdict(dict)
    for key, data in shown.items():
        by_course[key[0]][key] = len(data[block])
    tables = []
    for course_id, counts in by_course.items():
        total = (course_id, "course", NO_LABEL)
        lines = [line for dimension in ("cohort", "department")
                 for line in list_lines(total, [key for key in counts if key[1] == dimension])]
        tables.append((counts, lines))
    return tables


def _hidden_groups(shown: dict[tuple[int, str, str], dict[str, list]]) -> dict[str, dict[tuple[int, str, str], Reason]]:
    hidden: dict[str, dict[tuple[int, str, str], Reason]] = {}
    for block in ("instrument", "rubric"):
        hidden[block] = {}
        for counts, lines in growth_tables(shown, block):
            hidden[block] |= cells_suppress(counts, lines, minimum=MIN_GROUP)
    return hidden
