"""Reading outcome scores: the organization a caller works on and the imported rows, scoped to it.

Who: HR and organization admins of the organization (and superusers); an organization API key with
``reports:read`` reads its own organization's rows and report. Outside that scope an organization is not found.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from assessments.outcomes.models import OutcomeScore
from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.hr_reports import queries as reports
from lms.models import Department, Organization


def outcome_organization(*, actor: Any, slug: str | None) -> Organization:
    """The organization named by ``slug`` (or the caller's only one); NotFound outside the caller's scope."""
    return reports.single_organization(actor, slug or None)


def outcome_scores_list(*, organization: Organization, metric: str = "", agent: str = "",
                        period_from: date | None = None, period_to: date | None = None) -> QuerySet[OutcomeScore]:
    """The organization's imported rows, newest period first; ``agent`` matches an employee id or an email
    exactly, the period bounds keep rows overlapping them."""
    rows = OutcomeScore.objects.filter(organization=organization).select_related("membership__user")
    if metric:
        rows = rows.filter(metric=metric)
    if agent:
        rows = rows.filter(Q(membership__employee_id=agent) | Q(membership__user__email__iexact=agent))
    if period_from:
        rows = rows.filter(period_end__gte=period_from)
    if period_to:
        rows = rows.filter(period_start__lte=period_to)
    return rows.order_by("-period_end", "-id")


def outcome_course_choices(*, organization: Organization) -> QuerySet[Course]:
    """Courses someone of the organization completed: what the report's form offers."""
    return Course.objects.filter(enrollments__organization=organization,
                                 enrollments__status=Enrollment.Status.COMPLETED).distinct().order_by("title")


def outcome_department_choices(*, organization: Organization) -> QuerySet[Department]:
    return Department.objects.filter(organization=organization).order_by("name")
