"""Reads for the learner's own pages (My learning, workshops): one person's enrollments with their next
step, certificates, workshop places with waitlist positions, and the time zone to show times in.

Each list is read in a constant number of queries, whatever the number of rows.
"""
from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.catalog.models import Course
from courses.catalog.selectors import course_can_manage, course_manage_q, courses_visible_to
from courses.workshops.calendars import SessionEntry
from courses.workshops.models import (
    ACTIVE_REGISTRATION,
    AttendanceMark,
    CalendarFeedToken,
    Registration,
    SessionMessage,
    SessionPart,
    Workshop,
    WorkshopSession,
)
from lms.errors import Forbidden, NotFound
from lms.models import Membership, User
from lms.scoping import is_unrestricted, person_id
from lms.selectors import token_digest


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


def calendar_feed_active(*, user: Any) -> bool:
    return user.calendar_feeds.filter(revoked_at__isnull=True).exists()


def session_scope_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    condition = Q(workshop__activity__course__in=courses_visible_to(actor=actor).values("pk"))
    user_id = person_id(actor)
    if user_id:
        condition |= Q(pk__in=WorkshopSession.objects.filter(instructors__id=user_id).values("pk"))
        condition |= Q(workshop__in=Workshop.objects.filter(instructors__id=user_id).values("pk"))
    return condition


def sessions_taught_by_q(user_id: int | None) -> Q:
    """Sessions the user teaches (as one of the session's own instructors)."""
    return Q(pk__in=WorkshopSession.objects.filter(instructors=user_id).values("pk"))


def sessions_visible_to(*, actor: Any) -> QuerySet[WorkshopSession]:
    """Sessions with their workshop, course, parts and instructors, and seat counts and the caller's own
    registration annotated, in a constant number of queries."""
    queryset = (
        WorkshopSession.objects.filter(session_scope_q(actor))
        .select_related("workshop__activity__course")
        .prefetch_related(Prefetch("parts", queryset=SessionPart.objects.order_by("starts_at", "id")), "instructors")
        .annotate(
            booked_count=Count("registrations", filter=Q(registrations__status=Registration.Status.BOOKED)),
            waitlist_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        )
    )
    user_id = person_id(actor)
    if user_id:
        mine = Registration.objects.filter(session=OuterRef("pk"), user_id=user_id)
        queryset = queryset.annotate(my_registration_id=Subquery(mine.values("pk")[:1]),
                                     my_status=Subquery(mine.values("status")[:1]))
    return queryset


def session_get(*, actor: Any, session_id: int) -> WorkshopSession:
    return get_object_or_404(sessions_visible_to(actor=actor), pk=session_id)


def session_can_manage(*, actor: Any, session: WorkshopSession) -> bool:
    """The session's instructors and the course's managers: they change and cancel it and see its roster."""
    if is_unrestricted(actor):
        return True
    user_id = person_id(actor)
    if user_id is None:
        return False
    if any(instructor.pk == user_id for instructor in session.instructors.all()):
        return True
    return course_can_manage(actor=actor, course=session.workshop.activity.course)


def session_is_instructor(*, actor: Any, session: WorkshopSession) -> bool:
    """One of the session's instructors (superusers count as one): they take attendance."""
    if getattr(actor, "is_api_key", False) or not getattr(actor, "is_authenticated", False):
        return False
    if is_unrestricted(actor):
        return True
    return session.instructors.filter(pk=actor.pk).exists()


def workshop_can_add_sessions(*, actor: Any, workshop: Workshop) -> bool:
    """The workshop's instructors and the course's managers."""
    if workshop.instructors.filter(pk=actor.pk).exists():
        return True
    return course_can_manage(actor=actor, course=workshop.activity.course)


def registration_can_approve(*, actor: Any, registration: Registration) -> bool:
    """The learner's manager (in the enrollment's organization), the session's instructors, course managers."""
    if getattr(actor, "is_api_key", False) or not getattr(actor, "is_authenticated", False):
        return False
    if registration.session.instructors.filter(pk=actor.pk).exists():
        return True
    if Membership.objects.filter(user_id=registration.user_id, manager__user_id=actor.pk, is_active=True,
                                 organization=registration.enrollment.organization_id).exists():
        return True
    return course_can_manage(actor=actor, course=registration.enrollment.course)


# What each refusal says, by action on a session.
SESSION_MANAGE_REFUSALS = {
    "change": "Only the session's instructors and the course's managers change sessions.",
    "cancel": "Only the session's instructors and the course's managers cancel sessions.",
    "roster": "Only the session's instructors and the course's managers see the roster.",
}


def access_session_manage(*, actor: Any, session_id: int, action: str) -> WorkshopSession:
    """The session, for its staff: 404 when the actor cannot see it, 403 when they see it but do not manage it.
    ``action`` is one of ``SESSION_MANAGE_REFUSALS``."""
    session = session_get(actor=actor, session_id=session_id)
    if not session_can_manage(actor=actor, session=session):
        raise Forbidden(SESSION_MANAGE_REFUSALS[action])
    return session


def access_workshop_add_session(*, actor: Any, workshop_id: int) -> Workshop:
    """The workshop, for adding a session to it: 404 when invisible, 403 unless the actor is its staff."""
    workshop = workshop_get(actor=actor, workshop_id=workshop_id)
    if not workshop_can_add_sessions(actor=actor, workshop=workshop):
        raise Forbidden("Only the workshop's instructors and the course's managers create sessions.")
    return workshop


def access_registration_own(*, actor: Any, registration_id: int) -> Registration:
    """One's own registration; anyone else's (even one the actor may see) is 404."""
    registration = registration_get(actor=actor, registration_id=registration_id)
    if registration.user_id != person_id(actor):
        raise NotFound("Not found.")
    return registration


def calendar_feed_status(*, user: Any) -> CalendarFeedToken | None:
    """The person's active calendar feed token, if any."""
    return user.calendar_feeds.filter(revoked_at__isnull=True).first()


def workshops_visible_to(*, actor: Any, course_slug: str | None = None) -> QuerySet[Workshop]:
    if is_unrestricted(actor):
        queryset = Workshop.objects.all()
    else:
        condition = Q(activity__course__in=courses_visible_to(actor=actor).values("pk"))
        user_id = person_id(actor)
        if user_id:
            condition |= Q(pk__in=Workshop.objects.filter(instructors__id=user_id).values("pk"))
            condition |= Q(pk__in=WorkshopSession.objects.filter(instructors__id=user_id).values("workshop_id"))
        queryset = Workshop.objects.filter(condition)
    if course_slug:
        queryset = queryset.filter(activity__course__slug=course_slug)
    now = timezone.now()
    return (
        queryset.select_related("activity__course").prefetch_related("instructors")
        .annotate(upcoming_sessions=Count("sessions", filter=Q(sessions__status=WorkshopSession.Status.SCHEDULED,
                                                               sessions__starts_at__gt=now)))
        .order_by("activity__course__title", "activity__position", "id")
    )


def workshop_get(*, actor: Any, workshop_id: int) -> Workshop:
    return get_object_or_404(workshops_visible_to(actor=actor), pk=workshop_id)


def registrations_of(*, user: Any, status: str | None = None) -> QuerySet[Registration]:
    """The user's registrations, newest first; only those in ``status`` when it is a known one."""
    queryset = (Registration.objects.filter(user=person_id(user))
                .select_related("session__workshop__activity__course", "user").order_by("-registered_at", "-id"))
    if status in Registration.Status.values:
        queryset = queryset.filter(status=status)
    return queryset


def registration_get(*, actor: Any, registration_id: int) -> Registration:
    """One's own registration, or one in a session one may see the roster of, or of someone one manages."""
    registration = get_object_or_404(
        Registration.objects.select_related("session__workshop__activity__course", "user", "enrollment__course"),
        pk=registration_id)
    if registration.user_id == person_id(actor) or is_unrestricted(actor):
        return registration
    if registration_can_approve(actor=actor, registration=registration):
        return registration

    raise Http404


def session_roster(*, session: WorkshopSession) -> QuerySet[Registration]:
    """Every registration of the session, with the learner and their marks: three queries whatever its size."""
    return (
        Registration.objects.filter(session=session).select_related("user")
        .prefetch_related(Prefetch("marks", queryset=AttendanceMark.objects.order_by("part_id")))
        .order_by("ticket", "id")
    )


def reminder_leads() -> list[timedelta]:
    """How long before a session its reminders go out (``WORKSHOP_REMINDER_HOURS``, default 24 and 1)."""
    return [timedelta(hours=float(hours)) for hours in settings.WORKSHOP_REMINDER_HOURS]


def sessions_starting_within(*, lead: timedelta, now: datetime | None = None) -> QuerySet[WorkshopSession]:
    """Scheduled sessions that start after ``now`` and no later than ``now + lead``."""
    now = now or timezone.now()
    return (WorkshopSession.objects.filter(status=WorkshopSession.Status.SCHEDULED, starts_at__gt=now,
                                           starts_at__lte=now + lead)
            .select_related("workshop__activity__course").order_by("starts_at", "id"))


def sessions_due_for_reminders(*, now: datetime | None = None) -> dict[timedelta, QuerySet[WorkshopSession]]:
    """For each configured lead (24 h and 1 h by default), the sessions starting within it."""
    now = now or timezone.now()
    return {lead: sessions_starting_within(lead=lead, now=now) for lead in reminder_leads()}


FEED_PAST_DAYS = 90


def calendar_feed_token_from_raw(*, raw: str) -> CalendarFeedToken | None:
    if not raw or len(raw) > 100:
        return None
    return (CalendarFeedToken.objects.select_related("user")
            .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True).first())


def calendar_feed_entries(*, user: Any) -> list:
    """What a person's feed holds: sessions they registered for (cancelled ones as CANCELLED) and sessions
    they teach, from the last 90 days on."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    parts = Prefetch("parts", queryset=SessionPart.objects.order_by("starts_at", "id"))
    entries: dict[int, SessionEntry] = {}
    registrations = (
        Registration.objects.filter(user=user, session__ends_at__gte=since)
        .exclude(status=Registration.Status.PENDING_APPROVAL)
        .select_related("session__workshop__activity")
        .prefetch_related(Prefetch("session__parts", queryset=parts.queryset), "session__instructors")
    )
    for registration in registrations:
        session = registration.session
        placed = registration.status in (Registration.Status.BOOKED, Registration.Status.WAITLISTED)
        if registration.status == Registration.Status.WAITLISTED:
            continue  # no seat yet: nothing to put in a calendar
        entries[session.pk] = SessionEntry(
            session=session, sequence=session.sequence + registration.sequence,
            cancelled=not placed or session.status == WorkshopSession.Status.CANCELLED, attendee_email=user.email,
            attendee_name=user.display_name)
    taught = (WorkshopSession.objects.filter(Q(instructors=user) | Q(workshop__instructors=user), ends_at__gte=since)
              .distinct().select_related("workshop__activity").prefetch_related(parts, "instructors"))
    for session in taught:
        entries.setdefault(session.pk, SessionEntry(
            session=session, sequence=session.sequence,
            cancelled=session.status == WorkshopSession.Status.CANCELLED))
    return sorted(entries.values(), key=lambda entry: (entry.session.starts_at, entry.session.pk))


# --- the instructor's workspace (/teach/workshops/) --------------------------------------------

def sessions_managed_q(actor: Any) -> Q:
    """Sessions the person teaches (the session's or the workshop's instructor) or manages (course managers)."""
    if is_unrestricted(actor):
        return Q()
    user_id = person_id(actor)
    if user_id is None:
        return Q(pk__in=[])
    return (Q(pk__in=WorkshopSession.objects.filter(instructors__id=user_id).values("pk"))
            | Q(workshop__in=Workshop.objects.filter(instructors__id=user_id).values("pk"))
            | Q(workshop__activity__course__in=Course.objects.filter(course_manage_q(actor)).values("pk")))


def teach_sessions(*, actor: Any, upcoming: bool, limit: int = 100) -> list[WorkshopSession]:
    """The sessions on the person's /teach/workshops/ list: upcoming ones soonest first, or past and cancelled
    ones latest first; with seat counts, in a constant number of queries."""
    now = timezone.now()
    ahead = Q(status=WorkshopSession.Status.SCHEDULED, ends_at__gt=now)
    queryset = sessions_visible_to(actor=actor).filter(sessions_managed_q(actor))
    if upcoming:
        return list(queryset.filter(ahead).order_by("starts_at", "id")[:limit])
    return list(queryset.exclude(ahead).order_by("-starts_at", "-id")[:limit])


def teach_workshops(*, actor: Any) -> QuerySet[Workshop]:
    """Workshops on the courses the person manages (to add sessions or create one)."""
    return (Workshop.objects.filter(activity__course__in=Course.objects.filter(course_manage_q(actor)).values("pk"))
            .select_related("activity__course").order_by("activity__course__title", "activity__position", "id"))


def access_workshop_manage(*, actor: Any, workshop_id: int) -> Workshop:
    """The workshop, for changing or deleting it: 404 when invisible, 403 unless the actor manages its course."""
    workshop = workshop_get(actor=actor, workshop_id=workshop_id)
    if not course_can_manage(actor=actor, course=workshop.activity.course):
        raise Forbidden("Only the course's instructors and its organization's admins change its workshops.")
    return workshop


def organization_people(*, course: Course) -> QuerySet[User]:
    """Who may be picked as an instructor of the course's workshops: active people of the course's organization
    (a course outside any organization: its own instructors), by name."""
    if course.organization_id is None:
        people = User.objects.filter(pk__in=course.instructors.values("pk"))
    else:
        people = User.objects.filter(memberships__organization_id=course.organization_id,
                                     memberships__is_active=True)
    return people.filter(is_active=True).distinct().order_by("first_name", "last_name", "email", "id")


def session_waitlist(*, session: WorkshopSession) -> QuerySet[Registration]:
    """Who waits in the session: waitlisted and waiting for approval, in arrival order."""
    return (Registration.objects.filter(session=session, status__in=(Registration.Status.WAITLISTED,
                                                                      Registration.Status.PENDING_APPROVAL))
            .select_related("user").order_by("ticket", "id"))


def session_move_targets(*, session: WorkshopSession) -> QuerySet[WorkshopSession]:
    """The other sessions of the same workshop a waitlisted learner may be moved to: scheduled, not started."""
    return (WorkshopSession.objects.filter(workshop_id=session.workshop_id, status=WorkshopSession.Status.SCHEDULED,
                                           starts_at__gt=timezone.now())
            .exclude(pk=session.pk).select_related("workshop__activity").order_by("starts_at", "id"))


def session_messages(*, session: WorkshopSession) -> QuerySet[SessionMessage]:
    """The messages sent to the session's learners, newest first, with their author and recipient count."""
    return (SessionMessage.objects.filter(session=session).select_related("author")
            .annotate(recipients=Count("deliveries")).order_by("-created_at", "-id"))


def session_registration_get(*, session: WorkshopSession, registration_id: int) -> Registration:
    """A registration of this session (404 for any other)."""
    registration = (Registration.objects.filter(session=session, pk=registration_id)
                    .select_related("user", "session").first())
    if registration is None:
        raise NotFound("Not found.")
    return registration


def access_session_teach(*, actor: Any, session_id: int) -> WorkshopSession:
    """A session on the person's /teach/ pages: one they teach or manage; any other is 404, as if absent."""
    session = (sessions_visible_to(actor=actor).filter(sessions_managed_q(actor))
               .prefetch_related("workshop__instructors").filter(pk=session_id).first())
    if session is None:
        raise NotFound("Not found.")
    return session


def access_workshop_teach(*, actor: Any, workshop_id: int) -> Workshop:
    """A workshop the person may add sessions to on the /teach/ pages (its instructors, its course's managers);
    any other is 404."""
    workshop = workshops_visible_to(actor=actor).filter(pk=workshop_id).first()
    if workshop is None or not workshop_can_add_sessions(actor=actor, workshop=workshop):
        raise NotFound("Not found.")
    return workshop
