"""Reads for the rater-agreement report: the cohort a filter names (scoped to the courses the caller
manages), the scores it covers, alpha with its interval per criterion, cohort and overall, and each
reviewer's leniency."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from assessments.roleplays.agreement import (
    ALPHA_THRESHOLD,
    CONFIDENCE,
    LENIENCY_MARGIN,
    CohortFilter,
    alpha_with_interval,
    group_units,
    leniency_of,
)
from assessments.roleplays.models import (
    ReviewerCalibration,
    ReviewerRole,
    ReviewScore,
    Rubric,
)
from assessments.roleplays.selectors import _managed_courses
from courses.catalog import selectors as course_selectors
from courses.catalog.models import Course
from courses.workshops.models import Registration, WorkshopSession
from lms.models import Department, Membership, User
from lms.scoping import is_unrestricted


def agreement_cohort(*, actor: Any, cohort: str | None, date_from: date | None = None,
                     date_to: date | None = None) -> CohortFilter:
    """Read ``session:<id>``, ``department:<id>`` or an old label; a session or department outside the courses
    (their organizations) the caller manages is absent: 404."""
    if not cohort:
        return CohortFilter(date_from=date_from, date_to=date_to)
    kind, _, value = cohort.partition(":")
    if kind not in ("session", "department") or not value.isdigit() or len(value) > 18:
        return CohortFilter(label=cohort, date_from=date_from, date_to=date_to)
    found: QuerySet
    if kind == "session":
        found = WorkshopSession.objects.filter(pk=int(value))
        if not is_unrestricted(actor):
            found = found.filter(workshop__activity__course_id__in=_managed_courses(actor))
    else:
        found = Department.objects.filter(pk=int(value))
        if not is_unrestricted(actor):
            found = found.filter(organization_id__in=Course.objects.filter(
                course_selectors.course_manage_q(actor)).values("organization_id"))
    if not found.exists():
        raise Http404
    if kind == "session":
        return CohortFilter(session_id=int(value), date_from=date_from, date_to=date_to)
    return CohortFilter(department_id=int(value), date_from=date_from, date_to=date_to)


def _alpha_row(units: dict[Any, dict[int, int]], raters: set[int]) -> dict[str, Any]:
    result = alpha_with_interval((list(ratings.values()) for ratings in units.values()),
                                 resamples=settings.ROLEPLAY_AGREEMENT_RESAMPLES, seed=settings.ROLEPLAY_AGREEMENT_SEED)
    return {"alpha": result.alpha, "ci_low": result.ci_low, "ci_high": result.ci_high, "units": result.units,
            "raters": len(raters), "values": result.values, "resamples": result.resamples,
            "undefined_reason": result.reason, "flagged": result.flagged()}


def _filtered_scores(actor: Any, rubric: Rubric, scenario_id: int | None, cohort: CohortFilter) -> QuerySet:
    scores = ReviewScore.objects.filter(
        review__rubric=rubric, review__performance__is_reference=False,
        review__role__in=[ReviewerRole.PEER, ReviewerRole.SUPERVISOR])
    if not is_unrestricted(actor):
        scores = scores.filter(review__performance__enrollment__course_id__in=_managed_courses(actor))
    if scenario_id is not None:
        scores = scores.filter(review__performance__scenario_id=scenario_id)
    if cohort.label is not None:
        scores = scores.filter(review__performance__cohort=cohort.label)
    if cohort.session_id is not None:
        scores = scores.filter(Exists(Registration.objects.filter(
            enrollment_id=OuterRef("review__performance__enrollment_id"), session_id=cohort.session_id,
            status=Registration.Status.BOOKED)))
    if cohort.department_id is not None:
        scores = scores.filter(Exists(Membership.objects.filter(
            user_id=OuterRef("review__performance__enrollment__user_id"),
            organization_id=OuterRef("review__performance__enrollment__organization_id"),
            department_id=cohort.department_id)))
    if cohort.date_from is not None:
        scores = scores.filter(review__performance__submitted_at__date__gte=cohort.date_from)
    if cohort.date_to is not None:
        scores = scores.filter(review__performance__submitted_at__date__lte=cohort.date_to)
    return scores


def _cohort_groups(rows: list[tuple]) -> list[tuple[str, str, str, Any]]:
    """(kind, key, name, predicate on a row) for each department, booked workshop session and old label the
    rows' performers belong to. Two queries."""
    groups: list[tuple[str, str, str, Any]] = []
    departments: dict[tuple[int, int | None], tuple[int, str]] = {}
    for user_id, organization_id, department_id, name in Membership.objects.filter(
            user_id__in={r[7] for r in rows}, department__isnull=False).values_list(
            "user_id", "organization_id", "department_id", "department__name"):
        departments[(user_id, organization_id)] = (department_id, name)
    for department_id, name in sorted(set(departments.values()), key=lambda d: (d[1], d[0])):
        groups.append(("department", f"department:{department_id}", name,
                       lambda r, d=department_id: departments.get((r[7], r[8]), (None,))[0] == d))
    booked: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for enrollment_id, session_id, title, workshop, starts_at in Registration.objects.filter(
            enrollment_id__in={r[6] for r in rows}, status=Registration.Status.BOOKED).values_list(
            "enrollment_id", "session_id", "session__title", "session__workshop__activity__title",
            "session__starts_at"):
        booked[session_id].add(enrollment_id)
        names[session_id] = f"{title or workshop} ({starts_at:%Y-%m-%d})"
    for session_id in sorted(names, key=lambda s: (names[s], s)):
        groups.append(("session", f"session:{session_id}", names[session_id],
                       lambda r, s=session_id: r[6] in booked[s]))
    for label in sorted({r[3] for r in rows if r[3]}):
        groups.append(("label", label, label, lambda r, lab=label: r[3] == lab))
    return groups


def agreement_report(*, actor: Any, rubric: Rubric, scenario_id: int | None = None,
                     cohort: CohortFilter | None = None) -> dict[str, Any]:
    """Krippendorff's alpha (ordinal) with its bootstrap 95% interval (``agreement.alpha_with_interval``) over
    the peer and supervisor scores of learners' performances scored with ``rubric`` in the courses the caller
    manages: for the rubric (units = performance x criterion), for each criterion (units = performances) and for
    each cohort (department, booked workshop session, old label); and each reviewer's leniency
    (``agreement.leniency_of``). A fixed number of queries."""
    scores = _filtered_scores(actor, rubric, scenario_id, cohort or CohortFilter())
    # (performance, criterion, reviewer, label, points, role, enrollment, performer, organization)
    # A review whose reviewer was erased has no rater to agree or disagree with: it is left out.
    rows = list(scores.filter(review__reviewer__isnull=False).values_list(
        "review__performance_id", "criterion_id", "review__reviewer_id", "review__performance__cohort", "points",
        "review__role", "review__performance__enrollment_id", "review__performance__enrollment__user_id",
        "review__performance__enrollment__organization_id"))
    criteria = list(rubric.criteria.order_by("position", "id").values("pk", "title"))
    overall_units, overall_raters = group_units(rows, lambda r: (r[0], r[1]))
    per_criterion = []
    for criterion in criteria:
        units, raters = group_units([r for r in rows if r[1] == criterion["pk"]], lambda r: r[0])
        per_criterion.append({"criterion": criterion["pk"], "title": criterion["title"], **_alpha_row(units, raters)})
    per_cohort = []
    for kind, key, name, belongs in _cohort_groups(rows):
        units, raters = group_units([r for r in rows if belongs(r)], lambda r: (r[0], r[1]))
        per_cohort.append({"kind": kind, "key": key, "cohort": name, **_alpha_row(units, raters)})
    return {"rubric": {"id": rubric.pk, "title": rubric.title, "version": rubric.version},
            "threshold": ALPHA_THRESHOLD, "leniency_margin": LENIENCY_MARGIN,
            "bootstrap": {"method": "percentile over units", "resamples": settings.ROLEPLAY_AGREEMENT_RESAMPLES,
                          "seed": settings.ROLEPLAY_AGREEMENT_SEED, "confidence": CONFIDENCE},
            "overall": _alpha_row(overall_units, overall_raters),
            "criteria": per_criterion, "cohorts": per_cohort, "reviewers": _reviewer_rows(rows, overall_units, rubric)}


def _reviewer_rows(rows: list[tuple], overall_units: dict[Any, dict[int, int]], rubric: Rubric) -> list[dict]:
    differences: dict[int, list[float]] = defaultdict(list)
    roles: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        roles[row[2]].add(row[5])
        others = [points for reviewer, points in overall_units[(row[0], row[1])].items() if reviewer != row[2]]
        if others:
            differences[row[2]].append(row[4] - mean(others))
    people = {person.pk: person for person in User.objects.filter(pk__in=list(roles))} if roles else {}
    calibrations = {(c.reviewer_id): c for c in ReviewerCalibration.objects.filter(
        reviewer_id__in=list(roles), scenario__rubric=rubric).order_by("updated_at")}
    reviewers = []
    for reviewer_id in sorted(roles):
        leniency = leniency_of(differences.get(reviewer_id, []))
        calibration = calibrations.get(reviewer_id)
        person = people.get(reviewer_id)
        reviewers.append({
            "id": reviewer_id, "name": person.display_name if person else "", "roles": sorted(roles[reviewer_id]),
            "units": leniency.n, "leniency": None if leniency.leniency is None else round(leniency.leniency, 4),
            "tendency": leniency.label,
            "calibration_weight": float(calibration.weight) if calibration else None,
            "calibration_flagged": calibration.flagged if calibration else None,
            "live_agreement": None if calibration is None or calibration.live_agreement is None
            else float(calibration.live_agreement),
        })
    return reviewers
