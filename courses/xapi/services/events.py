"""What each learning event writes to the outbox. Called by the domains' services inside the transaction
of the event (and by the backfill, with the same identities): enrolled, launched and experienced a
lesson, a graded attempt (quizzes, role-plays: assessments call ``xapi_activity_result_record``),
registered for and attended a workshop session, completed a course, earned a certificate.

Each function is a no-op (one indexed query) when the organization has no active LRS endpoint."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from courses.catalog.models import Activity, Course
from courses.certificates.models import Certificate
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.workshops.models import Registration, RegistrationEvent
from courses.xapi import statements as xs
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.services.outbox import UNREAD, Unread, statement_record
from lms.models import Organization


def _course_object(course: Course) -> dict[str, Any]:
    return xs.activity(xs.course_iri(course.slug), kind="course", name=course.title, language=course.language)


def _activity_object(course: Course, activity: Activity) -> dict[str, Any]:
    return xs.activity(xs.activity_iri(course.slug, activity.pk), kind=activity.kind, name=activity.title,
                       language=course.language)


def _agent(endpoint: LrsEndpoint, enrollment: Enrollment) -> dict[str, Any]:
    assert enrollment.organization_id is not None  # statement_record writes nothing without an organization
    return xs.actor(mode=endpoint.actor_mode, organization_id=enrollment.organization_id,
                    user_id=enrollment.user_id, email=enrollment.user.email)


def _endpoint_read_with(enrollment: Enrollment) -> LrsEndpoint | Unread | None:
    """The organization's active endpoint (or None) when the caller read it with the enrollment (the
    lesson write's lock does, as does ``select_related("organization__lrs_endpoint")``); else UNREAD."""
    if not Enrollment.organization.is_cached(enrollment):
        return UNREAD
    organization = enrollment.organization
    if organization is None:
        return None
    if not Organization.lrs_endpoint.is_cached(organization):
        return UNREAD
    endpoint = getattr(organization, "lrs_endpoint", None)
    return endpoint if endpoint is not None and endpoint.is_active else None


def _record(enrollment: Enrollment, *, event: str, verb: str, obj_of, at: datetime, parents: bool = True,
            result: dict[str, Any] | None = None, grouping: list[dict[str, Any]] | None = None,
            ) -> XapiStatement | None:
    def build(endpoint: LrsEndpoint) -> dict[str, Any]:  # only runs when the organization sends xAPI
        course = enrollment.course
        obj = obj_of()
        context = xs.context(enrollment_id=enrollment.pk, language=course.language, grouping=grouping,
                             parents=[_course_object(course)] if parents else None)
        return xs.statement(event=event, agent=_agent(endpoint, enrollment), verb_name=verb, obj=obj, at=at,
                            context_=context, result_=result)

    return statement_record(organization_id=enrollment.organization_id, event=event, verb=verb, build=build,
                            endpoint=_endpoint_read_with(enrollment))


def xapi_enrollment_registered(*, enrollment: Enrollment) -> XapiStatement | None:
    return _record(enrollment, event=f"enrollment:{enrollment.pk}:registered", verb="registered",
                   obj_of=lambda: _course_object(enrollment.course), at=enrollment.enrolled_at, parents=False)


def xapi_enrollment_completed(*, enrollment: Enrollment) -> XapiStatement | None:
    assert enrollment.completed_at is not None
    return _record(enrollment, event=f"enrollment:{enrollment.pk}:completed", verb="completed",
                   obj_of=lambda: _course_object(enrollment.course), at=enrollment.completed_at, parents=False,
                   result=xs.result(score=enrollment.final_score, success=True, completion=True))


def xapi_lesson_launched(*, progress: ActivityProgress) -> XapiStatement | None:
    enrollment, activity = progress.enrollment, progress.activity
    if activity.kind != Activity.Kind.LESSON:
        return None
    return _record(enrollment, event=f"progress:{progress.pk}:launched", verb="launched",
                   obj_of=lambda: _activity_object(enrollment.course, activity),
                   at=progress.first_seen_at or progress.last_seen_at)


def xapi_lesson_experienced(*, progress: ActivityProgress) -> XapiStatement | None:
    enrollment, activity = progress.enrollment, progress.activity
    if activity.kind != Activity.Kind.LESSON or progress.completed_at is None:
        return None
    return _record(enrollment, event=f"progress:{progress.pk}:experienced", verb="experienced",
                   obj_of=lambda: _activity_object(enrollment.course, activity), at=progress.completed_at,
                   result=xs.result(completion=True))


def xapi_activity_result_record(*, enrollment: Enrollment, activity: Activity, event: str, verb: str,
                                at: datetime, score: Decimal | None = None, success: bool | None = None,
                                completion: bool | None = None) -> XapiStatement | None:
    """A result on an activity of the course (a quiz attempt answered, passed or failed; a role-play
    attempted or scored). ``event`` names it uniquely, e.g. "quiz-attempt:7:answered"."""
    return _record(enrollment, event=event, verb=verb, obj_of=lambda: _activity_object(enrollment.course, activity),
                   at=at, result=xs.result(score=score, success=success, completion=completion))


def xapi_registration_event_record(*, event: RegistrationEvent) -> XapiStatement | None:
    """A workshop registration step: a place confirmed (booked, promoted, approved) is "registered", an
    attendance outcome of "completed" or "incomplete" is "attended"; other steps write nothing."""
    registration: Registration = event.registration
    confirmed = (RegistrationEvent.Kind.BOOKED, RegistrationEvent.Kind.PROMOTED, RegistrationEvent.Kind.APPROVED)
    outcome = (event.detail or {}).get("to")
    if event.kind in confirmed:
        verb, result = "registered", None
    elif event.kind == RegistrationEvent.Kind.ATTENDANCE and outcome in (
            Registration.Attendance.COMPLETED, Registration.Attendance.INCOMPLETE):
        verb, result = "attended", xs.result(completion=outcome == Registration.Attendance.COMPLETED)
    else:
        return None
    enrollment = registration.enrollment
    session = registration.session
    activity = session.workshop.activity

    def session_object() -> dict[str, Any]:
        return xs.activity(xs.session_iri(session.pk), kind="session", name=session.title or activity.title,
                           language=enrollment.course.language)

    return _record(enrollment, event=f"registration-event:{event.pk}:{verb}", verb=verb, obj_of=session_object,
                   at=event.at, result=result, grouping=[_activity_object(enrollment.course, activity)])


def xapi_certificate_earned(*, certificate: Certificate) -> XapiStatement | None:
    enrollment = certificate.enrollment

    def certificate_object() -> dict[str, Any]:
        return xs.activity(xs.certificate_iri(certificate.code), kind="certificate",
                           name=f"Certificate: {certificate.course_title}", language=certificate.course_language)

    return _record(enrollment, event=f"certificate:{certificate.pk}:earned", verb="earned", obj_of=certificate_object,
                   at=certificate.issued_at, result=xs.result(score=certificate.final_score, success=True))
