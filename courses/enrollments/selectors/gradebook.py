"""The gradebook of a course, for the people who manage it: learners by activities, each cell's status and
score, the enrollment's percent, final score and due date; one learner's detail with the history of overrides
and extensions; and what the quiz rules add for a learner's extensions.

A page of the gradebook takes a fixed number of queries whatever its size: the enrollments of the page (with
the learner and their department in the enrollment's organization), the course's activities, the progress
rows of those enrollments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from courses.catalog.models import Activity, Course
from courses.catalog.selectors import access_course_author
from courses.enrollments.errors import EnrollmentErrorCode
from courses.enrollments.models import ActivityProgress, Enrollment, Extension, GradeOverride
from lms.errors import NotFound
from lms.models import Department, Membership

PAGE_SIZE = 50

# What the "sort" parameter may say, and the order each means (every order ends on the id, so pages are stable).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("user__last_name", "user__first_name", "user__email", "id"),
    "-name": ("-user__last_name", "-user__first_name", "-user__email", "-id"),
    "progress": ("progress_percent", "id"),
    "-progress": ("-progress_percent", "-id"),
    "final_score": ("final_score", "id"),
    "-final_score": ("-final_score", "-id"),
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
}
STATUSES = tuple(value for value, _ in Enrollment.Status.choices)


@dataclass(frozen=True)
class GradebookFilters:
    """What the gradebook shows: a department (by id), an enrollment status, overdue or not, and an order."""

    department: int | None = None
    status: str = ""
    overdue: bool | None = None
    sort: str = "name"

    def as_json(self) -> dict:
        """The filters given, for the access log."""
        return {name: value for name, value in vars(self).items() if value not in (None, "")}


@dataclass
class Cell:
    activity: Activity
    status: str
    score: Decimal | None
    attempts: int


@dataclass
class GradebookRow:
    enrollment: Enrollment
    cells: list[Cell]
    overdue: bool
    department: str = ""


@dataclass
class LearnerDetail:
    enrollment: Enrollment
    rows: list[GradebookRow]
    overrides: list[GradeOverride] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)

    @property
    def row(self) -> GradebookRow:
        return self.rows[0]


def _membership(field_name: str) -> Subquery:
    memberships = Membership.objects.filter(user_id=OuterRef("user_id"), organization_id=OuterRef("organization_id"))
    return Subquery(memberships.values(field_name)[:1])


def _overdue_q(moment: datetime) -> Q:
    return Q(status=Enrollment.Status.ACTIVE, due_at__isnull=False, due_at__lt=moment)


def gradebook_enrollments(*, course: Course, filters: GradebookFilters) -> QuerySet[Enrollment]:
    """The course's enrollments under the filters, in the asked order, with the learner and the name of their
    department in the enrollment's organization (``department_name``)."""
    enrollments = (Enrollment.objects.filter(course=course).select_related("user", "organization")
                   .annotate(department_name=_membership("department__name"),
                             department_id=_membership("department_id")))
    if filters.department is not None:
        enrollments = enrollments.filter(department_id=filters.department)
    if filters.status:
        enrollments = enrollments.filter(status=filters.status)
    if filters.overdue is not None:
        overdue = _overdue_q(timezone.now())
        enrollments = enrollments.filter(overdue) if filters.overdue else enrollments.exclude(overdue)
    order = SORTS.get(filters.sort, SORTS["name"])
    if filters.sort in ("final_score", "due"):  # empty values last either way
        first = order[0]
        return enrollments.order_by(F(first).asc(nulls_last=True), *order[1:])
    if filters.sort in ("-final_score", "-due"):
        first = order[0].lstrip("-")
        return enrollments.order_by(F(first).desc(nulls_last=True), *order[1:])
    return enrollments.order_by(*order)


def gradebook_activities(*, course: Course) -> list[Activity]:
    """The course's activities in course order."""
    return list(Activity.objects.filter(course=course).select_related("module")
                .order_by("module__position", "module_id", "position", "id"))


def gradebook_rows(enrollments: list[Enrollment], activities: list[Activity]) -> list[GradebookRow]:
    """One row per enrollment with a cell per activity: one query for the progress rows of them all."""
    progress: dict[tuple[int, int], ActivityProgress] = {
        (row.enrollment_id, row.activity_id): row
        for row in ActivityProgress.objects.filter(enrollment_id__in=[e.pk for e in enrollments])
        .only("enrollment_id", "activity_id", "status", "score", "attempts")
    }
    moment = timezone.now()
    rows = []
    for enrollment in enrollments:
        cells = []
        for activity in activities:
            found = progress.get((enrollment.pk, activity.pk))
            cells.append(Cell(activity=activity,
                              status=found.status if found else ActivityProgress.Status.NOT_STARTED,
                              score=found.score if found else None, attempts=found.attempts if found else 0))
        overdue = (enrollment.status == Enrollment.Status.ACTIVE and enrollment.due_at is not None
                   and enrollment.due_at < moment)
        rows.append(GradebookRow(enrollment=enrollment, cells=cells, overdue=overdue,
                                 department=getattr(enrollment, "department_name", None) or ""))
    return rows


def access_gradebook(*, actor: Any, slug: str) -> Course:
    """The course, for its gradebook: absent (404) unless the actor manages it, even when they may see it."""
    return access_course_author(actor=actor, slug=slug)


def gradebook_departments(*, course: Course) -> list[Department]:
    """The departments the course's learners belong to (in the organizations they enrolled for), by name."""
    learners = Membership.objects.filter(user__enrollments__course=course,
                                         organization_id=F("user__enrollments__organization_id"))
    return list(Department.objects.filter(pk__in=learners.values("department_id")).order_by("name", "id"))


def gradebook_enrollment(*, course: Course, enrollment_id: int) -> Enrollment:
    """One enrollment of the course (404 for any other), with its learner and department."""
    enrollment = (gradebook_enrollments(course=course, filters=GradebookFilters()).filter(pk=enrollment_id)
                  .first())
    if enrollment is None:
        raise Http404
    return enrollment


def gradebook_learner(*, course: Course, enrollment_id: int) -> LearnerDetail:
    """One learner's line of the gradebook, every activity's cell, and the overrides and extensions given."""
    enrollment = gradebook_enrollment(course=course, enrollment_id=enrollment_id)
    rows = gradebook_rows([enrollment], gradebook_activities(course=course))
    overrides = list(GradeOverride.objects.filter(enrollment=enrollment).select_related("activity", "changed_by"))
    extensions = list(Extension.objects.filter(enrollment=enrollment).select_related("activity", "granted_by"))
    return LearnerDetail(enrollment=enrollment, rows=rows, overrides=overrides, extensions=extensions)


def gradebook_activity(*, course: Course, activity_id: int) -> Activity:
    """An activity of the course (404 ``activity_not_found`` for any other)."""
    activity = Activity.objects.filter(course=course, pk=activity_id).first()
    if activity is None:
        raise NotFound("No such activity in this course.", code=EnrollmentErrorCode.ACTIVITY_NOT_FOUND)
    return activity


def extension_allowance(*, enrollment_id: int, activity_id: int) -> tuple[int, int]:
    """(extra attempts, extra minutes) the learner of ``enrollment_id`` was granted on the quiz of
    ``activity_id``: what the quiz rules add to its attempt and time limits."""
    granted = Extension.objects.filter(enrollment_id=enrollment_id, activity_id=activity_id)
    totals = granted.aggregate(
        attempts=Sum("amount", filter=Q(kind=Extension.Kind.EXTRA_ATTEMPT)),
        minutes=Sum("amount", filter=Q(kind=Extension.Kind.EXTRA_TIME)),
    )
    return int(totals["attempts"] or 0), int(totals["minutes"] or 0)


EXPORT_CHUNK = 500


def gradebook_all_rows(*, course: Course, filters: GradebookFilters) -> tuple[list[Activity], list[GradebookRow]]:
    """Every row under the filters (what a download holds), read in chunks of ``EXPORT_CHUNK`` enrollments."""
    activities = gradebook_activities(course=course)
    enrollments = list(gradebook_enrollments(course=course, filters=filters))
    rows: list[GradebookRow] = []
    for start in range(0, len(enrollments), EXPORT_CHUNK):
        rows.extend(gradebook_rows(enrollments[start:start + EXPORT_CHUNK], activities))
    return activities, rows


@dataclass
class GradebookPage:
    course: Course
    activities: list[Activity]
    rows: list[GradebookRow]
    page: Page


def gradebook_page(*, course: Course, filters: GradebookFilters, page: Any = 1) -> GradebookPage:
    """One page (``PAGE_SIZE`` learners) of the gradebook under the filters; a page number out of range or not a
    number gives the nearest page, as Django's ``Paginator.get_page`` does."""
    paginator = Paginator(gradebook_enrollments(course=course, filters=filters), PAGE_SIZE)
    current = paginator.get_page(page)
    activities = gradebook_activities(course=course)
    return GradebookPage(course=course, activities=activities, rows=gradebook_rows(list(current), activities),
                         page=current)
