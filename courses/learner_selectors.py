"""Reads for the learner's own pages (My learning, workshops): one person's enrollments with their next
step, certificates, workshop places with waitlist positions, and the time zone to show times in.

Each list is read in a constant number of queries, whatever the number of rows.
"""
from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses import selectors
from courses.models import Activity, ActivityProgress, Certificate, Enrollment, Registration, WorkshopSession
from courses.models.workshops import ACTIVE_REGISTRATION
from courses.workshop_selectors import registrations_of, sessions_visible_to
from lms.models import Membership


def organization_timezone_name(user: Any) -> str:
    """The time zone of the person's (first) organization, or "" when they belong to none."""
    if not getattr(user, "pk", None):
        return ""
    return (Membership.objects.filter(user_id=user.pk, is_active=True).order_by("organization_id", "id")
            .values_list("organization__timezone", flat=True).first()) or ""


def viewer_timezone(user: Any) -> zoneinfo.ZoneInfo:
    """The zone to show times in: the person's own, else their organization's (as reminders do), else the site's."""
    name = getattr(user, "timezone", "") or organization_timezone_name(user)
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _waitlist_position() -> Subquery:
    """For a registration row: how many waitlisted registrations of its session arrived no later than it."""
    ahead = (Registration.objects.filter(session=OuterRef("session_id"), status=Registration.Status.WAITLISTED,
                                         ticket__lte=OuterRef("ticket"))
             .order_by().values("session").annotate(count=Count("pk")).values("count"))
    return Subquery(ahead[:1])


def upcoming_sessions(*, actor: Any) -> QuerySet[WorkshopSession]:
    """Scheduled sessions not started yet that the actor may see, soonest first, with seats and own place."""
    return (sessions_visible_to(actor=actor)
            .filter(status=WorkshopSession.Status.SCHEDULED, starts_at__gt=timezone.now())
            .order_by("starts_at", "id"))


def own_registration(*, user: Any, session: WorkshopSession) -> Registration | None:
    """The user's registration in the session (any status), with its waitlist position."""
    return (Registration.objects.filter(session=session, user_id=user.pk)
            .annotate(waitlist_position=_waitlist_position()).first())


def upcoming_registrations(*, user: Any) -> QuerySet[Registration]:
    """The user's places (booked, waitlisted, waiting for approval) in sessions still ahead, soonest first."""
    return (registrations_of(user=user)
            .filter(status__in=ACTIVE_REGISTRATION, session__starts_at__gt=timezone.now())
            .exclude(session__status=WorkshopSession.Status.CANCELLED)
            .annotate(waitlist_position=_waitlist_position())
            .order_by("session__starts_at", "session_id"))


@dataclass
class EnrollmentRow:
    enrollment: Enrollment
    next_activity: Activity | None
    overdue: bool


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
        following = (selectors.next_activity(activities[enrollment.course_id], progress[enrollment.pk])
                     if active else None)
        rows.append(EnrollmentRow(enrollment=enrollment, next_activity=following,
                                  overdue=active and enrollment.due_at is not None and enrollment.due_at < now))
    return rows


def own_certificates(*, user: Any) -> QuerySet[Certificate]:
    """The user's own certificates, newest first, without loading the signed credential itself."""
    return (selectors.certificates_visible_to(actor=user).filter(enrollment__user_id=user.pk)
            .defer("credential")
            .annotate(has_credential=ExpressionWrapper(Q(credential__isnull=False), output_field=BooleanField()))
            .order_by("-issued_at", "-id"))


def calendar_feed_active(*, user: Any) -> bool:
    return user.calendar_feeds.filter(revoked_at__isnull=True).exists()
