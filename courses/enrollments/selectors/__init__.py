"""Enrollment reads: who sees which enrollments, one with its progress, the next activity, the learner's
own rows for My learning, and whether a lesson is readable."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.catalog.models import Activity, Course, Lesson, LessonImage
from courses.catalog.selectors import course_can_manage, course_manage_q, courses_visible_to
from courses.enrollments.errors import EnrollmentErrorCode
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.errors import Forbidden, NotFound
from lms.models import Membership, Role
from lms.scoping import is_unrestricted, organization_ids_for, person_id


def enrollment_scope_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    if getattr(actor, "is_api_key", False):
        return Q(organization_id=actor.organization_id)
    user_id = person_id(actor)
    condition = Q(user_id=user_id)
    condition |= Q(course__in=Course.objects.filter(course_manage_q(actor)).values("pk"))
    condition |= Q(organization_id__in=organization_ids_for(actor, Role.HR, Role.ORG_ADMIN))
    supervised = organization_ids_for(actor, Role.SUPERVISOR)
    if supervised:
        team = Membership.objects.filter(manager__user=user_id, organization_id__in=supervised)
        condition |= Q(organization_id__in=supervised, user_id__in=team.values("user_id"))
    return condition


def enrollments_visible_to(*, actor: Any) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(enrollment_scope_q(actor)).select_related("course", "user", "organization")


def enrollment_get(*, actor: Any, enrollment_id: int) -> Enrollment:
    return get_object_or_404(enrollments_visible_to(actor=actor), pk=enrollment_id)


def enrollment_own_activity(*, user: Any, enrollment_id: int, activity_id: int) -> tuple[Enrollment, Activity]:
    """The learner's own enrollment (progress is recorded by the learner, not for them) and an activity
    of its course with its module, in one query: 404 for an enrollment that is not the caller's, then
    404 ``activity_not_found``. The enrollment comes back as a reference (id, learner, course): the
    services that record progress lock and read its row themselves."""
    learner_id = person_id(user)
    if learner_id is None:
        raise Http404
    activity = (Activity.objects.select_related("module")
                .filter(pk=activity_id, course__enrollments__pk=enrollment_id, course__enrollments__user_id=learner_id)
                .first())
    if activity is None:
        if not Enrollment.objects.filter(pk=enrollment_id, user_id=learner_id).exists():
            raise_not_found()
        raise NotFound("No such activity in this course.", code=EnrollmentErrorCode.ACTIVITY_NOT_FOUND)
    enrollment = Enrollment(pk=enrollment_id, user_id=learner_id, course_id=activity.course_id)
    enrollment._state.adding, enrollment._state.db = False, Enrollment.objects.db
    return enrollment, activity


def enrollment_with_progress(*, actor: Any, enrollment_id: int) -> tuple[Enrollment, list[Activity], dict]:
    enrollment = enrollment_get(actor=actor, enrollment_id=enrollment_id)
    activities = list(
        Activity.objects.filter(course_id=enrollment.course_id)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    progress = {row.activity_id: row for row in ActivityProgress.objects.filter(enrollment=enrollment)}
    return enrollment, activities, progress


def next_activity(activities: list[Activity], progress: dict) -> Activity | None:
    """The first required activity not passed yet, in course order; else the first optional one."""
    pending = [a for a in activities if getattr(progress.get(a.pk), "status", None) != ActivityProgress.Status.PASSED]
    for activity in pending:
        if activity.required:
            return activity
    return pending[0] if pending else None


def _resume_point(activities: list[Activity], progress: dict, enrollment: Enrollment) -> tuple[Activity | None, bool]:
    """(where the learner resumes, whether it is the activity they opened last): that one while it is not
    done, else the next activity to do."""
    last = next((a for a in activities if a.pk == enrollment.last_activity_id), None)
    if last is not None and getattr(progress.get(last.pk), "status", None) != ActivityProgress.Status.PASSED:
        return last, True
    return next_activity(activities, progress), False


def user_enrollment(*, user: Any, course: Course) -> Enrollment | None:
    if person_id(user) is None:
        return None
    return Enrollment.objects.filter(user_id=user.pk, course=course).first()


def progress_of(*, enrollment: Enrollment | None) -> dict[int, ActivityProgress]:
    """{activity id: progress row} of an enrollment (empty without one)."""
    if enrollment is None:
        return {}
    return {row.activity_id: row for row in ActivityProgress.objects.filter(enrollment=enrollment)}


def enrollment_is_open(enrollment: Enrollment | None) -> bool:
    """Active or completed: the learner may read the lessons and record progress."""
    return enrollment is not None and enrollment.status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def enrollment_can_manage(*, actor: Any, enrollment: Enrollment) -> bool:
    """Staff who may act on someone else's enrollment: course managers, HR and org admins of its organization."""
    if is_unrestricted(actor):
        return True
    if enrollment.organization_id in organization_ids_for(actor, Role.HR, Role.ORG_ADMIN):
        return True
    return course_can_manage(actor=actor, course=enrollment.course)


@dataclass
class EnrollmentRow:
    enrollment: Enrollment
    next_activity: Activity | None  # where Continue/Resume goes: see resumed
    overdue: bool
    resumed: bool = False  # next_activity is the one the learner opened last and has not finished


def enrollments_with_next_step(*, user: Any) -> list[EnrollmentRow]:
    """The user's enrollments (newest first, withdrawn ones last) with the next activity to open: three queries."""
    enrollments = list(Enrollment.objects.filter(user_id=user.pk).select_related("course")
                       .order_by("-enrolled_at", "-id"))
    enrollments.sort(key=lambda e: e.status == Enrollment.Status.WITHDRAWN)  # stable: keeps the order within
    if not enrollments:
        return []
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in (Activity.objects.filter(course_id__in={e.course_id for e in enrollments})
                     .select_related("module").order_by("module__position", "module_id", "position", "id")):
        activities[activity.course_id].append(activity)
    progress: dict[int, dict[int, ActivityProgress]] = defaultdict(dict)
    for row in (ActivityProgress.objects.filter(enrollment_id__in=[e.pk for e in enrollments])
                .only("enrollment_id", "activity_id", "status")):
        progress[row.enrollment_id][row.activity_id] = row
    now = timezone.now()
    rows = []
    for enrollment in enrollments:
        active = enrollment.status == Enrollment.Status.ACTIVE
        following, resumed = (_resume_point(activities[enrollment.course_id], progress[enrollment.pk], enrollment)
                              if active else (None, False))
        rows.append(EnrollmentRow(enrollment=enrollment, next_activity=following, resumed=resumed,
                                  overdue=active and enrollment.due_at is not None and enrollment.due_at < now))
    return rows


def lesson_readable(*, actor: Any, course: Course, enrollment: Enrollment | None) -> bool:
    """Lessons of a course the actor sees are for its open enrollments and for the people managing it."""
    return enrollment_is_open(enrollment) or course_can_manage(actor=actor, course=course)


def lesson_for(*, actor: Any, activity_id: int) -> tuple[Lesson, Enrollment | None]:
    """A lesson the actor may read: enrolled (active or completed) in its course, or managing it."""
    lesson = get_object_or_404(
        Lesson.objects.select_related("activity__course", "activity__module"), activity_id=activity_id
    )
    course = lesson.activity.course
    if not courses_visible_to(actor=actor).filter(pk=course.pk).exists():
        raise_not_found()
    enrollment = user_enrollment(user=actor, course=course)
    if not lesson_readable(actor=actor, course=course, enrollment=enrollment):
        raise_not_found()
    return lesson, enrollment


def access_lesson_manage(*, actor: Any, activity_id: int) -> Lesson:
    """The lesson, for changing it: 404 when the actor may not read it, 403 unless they manage its course."""
    lesson, _ = lesson_for(actor=actor, activity_id=activity_id)
    if not course_can_manage(actor=actor, course=lesson.activity.course):
        raise Forbidden("Only the course's instructors and its organization's admins may change lessons.")
    return lesson


def lesson_image_for(*, actor: Any, activity_id: int, image_id: int, format: str = "") -> LessonImage:
    """A picture of a lesson the actor may read (``lesson_for``), in ``format`` when one is given; 404 otherwise."""
    lesson, _ = lesson_for(actor=actor, activity_id=activity_id)
    image = LessonImage.objects.filter(lesson=lesson, pk=image_id).select_related("lesson__activity__course").first()
    if image is None or (format and not image.file.name.endswith(f".{format}")):
        raise Http404
    return image


def access_lesson_image_manage(*, actor: Any, activity_id: int, image_id: int) -> LessonImage:
    """A lesson's picture, for removing it: as ``access_lesson_manage``, then 404 for a picture it lacks."""
    lesson = access_lesson_manage(actor=actor, activity_id=activity_id)
    image = LessonImage.objects.filter(lesson=lesson, pk=image_id).select_related("lesson__activity").first()
    if image is None:
        raise Http404
    return image


def access_enrollment_withdraw(*, actor: Any, enrollment_id: int) -> Enrollment:
    """The enrollment, for withdrawing it: 404 when invisible, 403 unless it is the actor's own or they manage it."""
    enrollment = enrollment_get(actor=actor, enrollment_id=enrollment_id)
    if enrollment.user_id != actor.pk and not enrollment_can_manage(actor=actor, enrollment=enrollment):
        raise Forbidden("Only the learner, the course's staff, HR or an org admin may withdraw this enrollment.")
    return enrollment


def raise_not_found() -> None:
    raise Http404
