"""Who may open the instructor's workspace, and the courses it shows them."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from courses.catalog.models import Course
from courses.catalog.selectors import course_manage_q
from courses.enrollments.models import Enrollment
from courses.workshops.models import AttendanceMark, Registration, Workshop, WorkshopSession
from courses.workshops.selectors import sessions_taught_by_q, sessions_visible_to
from lms.models import STAFF_ROLES
from lms.scoping import is_unrestricted, organization_ids_for, person_id

UPCOMING_DAYS = 14  # the home page's "upcoming sessions" look this far ahead
MAX_LISTED = 1000  # past sessions without attendance: counted up to this many
LEARNER_STATUSES = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED, Enrollment.Status.EXPIRED)


def teaching_can_use(*, actor: Any) -> bool:
    """Organization staff (instructors, supervisors, organization admins), anyone named instructor of a course,
    and superusers. Learners, HR and API keys may not."""
    if is_unrestricted(actor):
        return True
    user_id = person_id(actor)
    if user_id is None:
        return False
    if organization_ids_for(actor, *STAFF_ROLES):
        return True
    return Course.objects.filter(instructors__id=user_id).exists()


def teaching_courses(*, actor: Any) -> QuerySet[Course]:
    """The courses this person teaches or manages, newest first."""
    return (Course.objects.filter(course_manage_q(actor)).distinct()
            .select_related("organization").order_by("-created_at", "-pk"))


def teaching_courses_summary(*, actor: Any) -> QuerySet[Course]:
    """The courses this person teaches or manages, each with its learners counted in the same query:
    ``learners`` (every enrollment but withdrawn ones), ``completed`` and ``overdue`` (active, past due)."""
    now = timezone.now()
    enrollments = Q(enrollments__status__in=LEARNER_STATUSES)
    return (Course.objects.filter(pk__in=Course.objects.filter(course_manage_q(actor)).values("pk"))
            .select_related("organization")
            .annotate(learners=Count("enrollments", filter=enrollments),
                      completed=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.COMPLETED)),
                      overdue=Count("enrollments", filter=_overdue_q("enrollments__", now)))
            .order_by("-created_at", "-pk"))


def _overdue_q(prefix: str, now: datetime) -> Q:
    return Q(**{f"{prefix}status": Enrollment.Status.ACTIVE, f"{prefix}due_at__lt": now})


def _sessions_managed_q(actor: Any) -> Q:
    """Sessions the person teaches, or whose workshop or course they teach or manage (superusers: every one)."""
    if is_unrestricted(actor):
        return Q()
    user_id = person_id(actor)
    if user_id is None:
        return Q(pk__in=[])
    return (sessions_taught_by_q(user_id)
            | Q(workshop__in=Workshop.objects.filter(instructors__id=user_id).values("pk"))
            | Q(workshop__activity__course__in=Course.objects.filter(course_manage_q(actor)).values("pk")))


def teaching_upcoming_sessions(*, actor: Any, days: int = UPCOMING_DAYS) -> QuerySet[WorkshopSession]:
    """Scheduled sessions this person teaches or manages that start within ``days``, soonest first, with
    ``booked_count`` and ``waitlist_count``."""
    now = timezone.now()
    return (sessions_visible_to(actor=actor).filter(_sessions_managed_q(actor))
            .filter(status=WorkshopSession.Status.SCHEDULED, starts_at__gte=now,
                    starts_at__lt=now + timedelta(days=days))
            .order_by("starts_at", "pk"))


def teaching_pending_approvals(*, actor: Any) -> int:
    """Registrations waiting for approval in sessions this person manages (cancelled sessions left out)."""
    sessions = WorkshopSession.objects.filter(_sessions_managed_q(actor)).exclude(
        status=WorkshopSession.Status.CANCELLED)
    return Registration.objects.filter(status=Registration.Status.PENDING_APPROVAL,
                                       session__in=sessions.values("pk")).count()


def teaching_sessions_without_attendance(*, actor: Any) -> list[int]:
    """Ids of sessions this person teaches that have ended with booked learners and not one attendance mark."""
    user_id = person_id(actor)
    if user_id is None:
        return []
    booked = Registration.objects.filter(session=OuterRef("pk"), status=Registration.Status.BOOKED)
    marked = AttendanceMark.objects.filter(registration__session=OuterRef("pk"))
    return list(WorkshopSession.objects.filter(sessions_taught_by_q(user_id), ends_at__lt=timezone.now())
                .exclude(status=WorkshopSession.Status.CANCELLED)
                .filter(Exists(booked)).exclude(Exists(marked))
                .order_by("-ends_at", "-pk").values_list("pk", flat=True)[:MAX_LISTED])


def teaching_overdue_learners(*, actor: Any) -> int:
    """Active enrollments past their due date in courses this person teaches or manages."""
    managed = Course.objects.filter(course_manage_q(actor)).values("pk")
    return Enrollment.objects.filter(_overdue_q("", timezone.now()), course__in=managed).count()
