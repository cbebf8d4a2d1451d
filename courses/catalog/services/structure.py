"""A course's structure once it exists: change, reorder and delete its modules and activities (with the rule
that nothing learners have progress in is deleted), and publishing with its checks spelled out."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from courses.catalog import selectors
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.models import Activity, Course, Module
from courses.catalog.services import course_recompute_estimate, course_search_refresh
from courses.errors import CoursesError
from lms.errors import Conflict


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise CoursesError("A title is required.", fields={"title": ["This field is required."]})
    return title[:200]


def module_update(*, module: Module, title: str) -> Module:
    module.title = _title(title)
    with transaction.atomic():
        module.save(update_fields=["title"])
        course_search_refresh(course=module.course)
    return module


def _learners_phrase(count: int) -> str:
    return "1 learner has" if count == 1 else f"{count} learners have"


def module_delete(*, module: Module) -> None:
    """Delete a module and its activities, unless a learner has progress in one of them (409)."""
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=module.course_id).first()
        ids = list(module.activities.values_list("pk", flat=True))
        learners = selectors.activity_learners_with_progress(activity_ids=ids)
        if learners:
            raise Conflict(f"{_learners_phrase(learners)} progress in this module's activities; archive the course "
                           "or make its activities optional instead.", code=CatalogErrorCode.MODULE_HAS_PROGRESS)
        course = module.course
        module.delete()
        course_recompute_estimate(course=course)
        course_search_refresh(course=course)


def activity_update(*, activity: Activity, title: str | None = None, required: bool | None = None,
                    weight: int | None = None) -> Activity:
    """Change an activity's title, whether it is required and its weight; the course's estimate follows."""
    if title is not None:
        activity.title = _title(title)
    if required is not None:
        activity.required = required
    if weight is not None:
        if not 0 <= weight <= 100:
            raise CoursesError("Weight is between 0 and 100.", fields={"weight": ["Out of range."]})
        activity.weight = weight
    with transaction.atomic():
        activity.save(update_fields=["title", "required", "weight"])
        course_recompute_estimate(course=activity.course)
        course_search_refresh(course=activity.course)
    return activity


def activity_delete(*, activity: Activity) -> None:
    """Delete an activity, unless a learner has progress in it (409)."""
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=activity.course_id).first()
        learners = selectors.activity_learners_with_progress(activity_ids=[activity.pk])
        if learners:
            raise Conflict(f"{_learners_phrase(learners)} progress in this activity; archive the course or make "
                           "it optional instead.", code=CatalogErrorCode.ACTIVITY_HAS_PROGRESS)
        course = activity.course
        activity.delete()
        course_recompute_estimate(course=course)
        course_search_refresh(course=course)


def _reorder(rows: QuerySet, order: Sequence[int], what: str) -> None:
    items: dict[int, Any] = {row.pk: row for row in rows.select_for_update()}
    if len(order) != len(set(order)) or set(order) != set(items):
        raise Conflict(f"The {what} changed since this order was made; reload and try again.",
                       code=CatalogErrorCode.ORDER_STALE)
    for position, pk in enumerate(order, start=1):
        row = items[pk]
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def module_reorder(*, course: Course, order: Sequence[int]) -> None:
    """Put the course's modules in this order: ``order`` names every module's id once (else 409)."""
    with transaction.atomic():
        _reorder(Module.objects.filter(course=course), order, "course's modules")


def activity_reorder(*, module: Module, order: Sequence[int]) -> None:
    """Put the module's activities in this order: ``order`` names every activity's id once (else 409)."""
    with transaction.atomic():
        _reorder(Activity.objects.filter(module=module), order, "module's activities")


def course_instructors_set(*, course: Course, users: Sequence[Any]) -> Course:
    """Name the course's instructors: staff of the course's organization only (a public course keeps its own)."""
    allowed = set(selectors.course_instructor_choices(organization=course.organization).values_list("pk", flat=True))
    ids = {user.pk for user in users}
    if ids - allowed:
        raise CoursesError("Instructors are staff of the course's organization.",
                           fields={"instructors": ["Choose people of the course's organization."]})
    with transaction.atomic():
        course.instructors.set(list(ids))
    return course
