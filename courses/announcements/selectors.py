"""Reads for announcements: who may announce to a course or a session, its announcements, who would receive
one, and the latest ones addressed to a learner. Each list is read in a constant number of queries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from courses.announcements.models import Announcement, AnnouncementDelivery
from courses.catalog.models import Course
from courses.catalog.selectors import course_can_manage, course_get
from courses.enrollments.models import Enrollment
from courses.workshops.models import ACTIVE_REGISTRATION, Registration, WorkshopSession
from courses.workshops.selectors import session_can_manage, session_get
from lms.errors import Forbidden, NotFound
from lms.models import User
from lms.scoping import person_id

COURSE_REFUSAL = "Only the course's instructors and its organization's admins announce to its learners."
SESSION_REFUSAL = "Only the session's instructors and the course's managers announce to its participants."
READ_REFUSAL = "Only the course's learners and its staff read its announcements."


def access_course_announce(*, actor: Any, slug: str) -> Course:
    """The course, for announcing to its learners: 404 unless the actor manages it (someone else's course looks
    absent), 403 for an API key."""
    course = course_get(actor=actor, slug=slug)
    if person_id(actor) is None:
        raise Forbidden(COURSE_REFUSAL)
    if not course_can_manage(actor=actor, course=course):
        raise NotFound("Not found.")
    return course


def access_session_announce(*, actor: Any, session_id: int) -> WorkshopSession:
    """The session, for announcing to its participants: 404 unless the actor manages it, 403 for an API key."""
    session = session_get(actor=actor, session_id=session_id)
    if person_id(actor) is None:
        raise Forbidden(SESSION_REFUSAL)
    if not session_can_manage(actor=actor, session=session):
        raise NotFound("Not found.")
    return session


def access_course_announcements_read(*, actor: Any, slug: str) -> tuple[Course, bool]:
    """The course and whether the actor manages it: its staff read every announcement, its learners the ones
    addressed to them; anyone else who sees the course gets 403."""
    course = course_get(actor=actor, slug=slug)
    user_id = person_id(actor)
    if user_id is not None and course_can_manage(actor=actor, course=course):
        return course, True
    if user_id is None or not Enrollment.objects.filter(course=course, user_id=user_id).exists():
        raise Forbidden(READ_REFUSAL)
    return course, False


def announcements_with_counts(queryset: QuerySet[Announcement]) -> QuerySet[Announcement]:
    return (queryset.select_related("author", "session__workshop__activity")
            .annotate(recipients=Count("deliveries"),
                      sent=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)))
            .order_by("-created_at", "-pk"))


def course_announcements(*, course: Course) -> QuerySet[Announcement]:
    """Every announcement of the course (its sessions' too), newest first, with recipients and mails sent."""
    return announcements_with_counts(Announcement.objects.filter(course=course))


def session_announcements(*, session: WorkshopSession) -> QuerySet[Announcement]:
    return announcements_with_counts(Announcement.objects.filter(session=session))


def announcements_received(*, user: Any, course: Course | None = None) -> QuerySet[Announcement]:
    """The announcements addressed to this learner (of one course, or all), newest first."""
    if not getattr(user, "pk", None):
        return Announcement.objects.none()
    queryset = Announcement.objects.filter(deliveries__user_id=user.pk)
    if course is not None:
        queryset = queryset.filter(course=course)
    return queryset.select_related("course", "author", "session__workshop__activity").order_by("-created_at", "-pk")


def course_recipients(*, course: Course) -> QuerySet[User]:
    """The learners an announcement to the course reaches: active enrollments of active accounts."""
    enrolled = Enrollment.objects.filter(course=course, status=Enrollment.Status.ACTIVE).values("user_id")
    return User.objects.filter(pk__in=enrolled, is_active=True).order_by("pk")


def session_recipients(*, session: WorkshopSession) -> QuerySet[User]:
    """The participants of a session: booked, waitlisted or waiting for approval, with an active enrollment."""
    places = Registration.objects.filter(session=session, status__in=ACTIVE_REGISTRATION,
                                         enrollment__status=Enrollment.Status.ACTIVE).values("user_id")
    return User.objects.filter(pk__in=places, is_active=True).order_by("pk")


def deliveries_pending(*, announcement_id: int, limit: int) -> list[AnnouncementDelivery]:
    """The next copies of an announcement not sent yet, with what the mail shows."""
    return list(AnnouncementDelivery.objects.filter(announcement_id=announcement_id, sent_at__isnull=True)
                .select_related("user", "announcement__course__organization", "announcement__author",
                                "announcement__session__workshop__activity")
                .order_by("pk")[:limit])


def recipient_count(*, course: Course | None = None, session: WorkshopSession | None = None) -> int:
    """How many learners an announcement to the session (or else the course) would reach now."""
    if session is not None:
        return session_recipients(session=session).count()
    assert course is not None
    return course_recipients(course=course).count()


def announcement_recipient_count(*, announcement: Announcement) -> int:
    return AnnouncementDelivery.objects.filter(announcement=announcement).count()


def announcements_unsent(*, created_before: datetime, limit: int) -> list[int]:
    """Ids of announcements with copies still unsent that were written before ``created_before``."""
    return list(AnnouncementDelivery.objects.filter(sent_at__isnull=True, created_at__lt=created_before)
                .order_by("announcement_id").values_list("announcement_id", flat=True).distinct()[:limit])
