"""Errors raised by workshops, sessions, registrations and attendance, with stable codes (rendered by lms.errors)."""
from enum import unique

from courses.errors import CoursesError
from lms.error_codes import ErrorCodeEnum
from lms.errors import Conflict


@unique
class WorkshopErrorCode(ErrorCodeEnum):
    CANCELLATION_CLOSED = "cancellation_closed"
    CAPACITY_BELOW_BOOKINGS = "capacity_below_bookings"
    FEED_NOT_FOUND = "feed_not_found"
    INVALID_ATTENDANCE = "invalid_attendance"
    INVALID_SESSION = "invalid_session"
    INVALID_WORKSHOP = "invalid_workshop"
    NOT_A_WORKSHOP = "not_a_workshop"
    NOT_APPROVER = "not_approver"
    NOT_ENROLLED = "not_enrolled"
    NOT_PENDING = "not_pending"
    NOT_WAITLISTED = "not_waitlisted"
    NOT_REGISTERED = "not_registered"
    NOT_SESSION_INSTRUCTOR = "not_session_instructor"
    OVERLAPPING_SESSION = "overlapping_session"
    REGISTRATION_CLOSED = "registration_closed"
    REGISTRATION_NOT_OPEN = "registration_not_open"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_FULL = "session_full"
    SESSION_STARTED = "session_started"
    WORKSHOP_CONFLICT = "workshop_conflict"
    WORKSHOP_EXISTS = "workshop_exists"
    WORKSHOP_IN_USE = "workshop_in_use"


class WorkshopError(CoursesError):
    """A workshop, session, registration or attendance rule was broken (400 unless said otherwise).

    Codes: ``invalid_session`` (times, capacity, time zone), ``not_a_workshop``, ``session_not_open``
    (cancelled, completed, started, outside the registration window), ``session_full``,
    ``overlapping_session``, ``not_enrolled``, ``cancellation_closed``, ``capacity_below_bookings``,
    ``not_session_instructor``, ``invalid_attendance``, ``part_not_started``.
    """

    code = WorkshopErrorCode.INVALID_WORKSHOP


class WorkshopConflict(Conflict):
    code = WorkshopErrorCode.WORKSHOP_CONFLICT
