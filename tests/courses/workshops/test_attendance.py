"""Attendance in bulk by the session's instructors, and how it completes the workshop activity."""
from __future__ import annotations

from datetime import timedelta

import pytest

from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress
from courses.workshops.errors import WorkshopError
from courses.workshops.models import AttendanceMark, Registration
from courses.workshops.services import attendance as workshop_attendance
from courses.workshops.services import sessions as workshop_sessions
from lms.errors import Forbidden
from tests import factories as people
from tests.courses.workshops.conftest import at, course_of, enrolled, make_session, make_workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(workshop, learners):
    """A two-part session (one optional part) booked by four learners, then held (moved into the past)."""
    start = at(5, hour=9)
    session = make_session(workshop, capacity=10, parts=[
        {"starts_at": start, "ends_at": start + timedelta(hours=2)},
        {"starts_at": start + timedelta(days=1), "ends_at": start + timedelta(days=1, hours=2)},
        {"starts_at": start + timedelta(days=2), "ends_at": start + timedelta(days=2, hours=1), "required": False}])
    registrations = [workshop_sessions.registration_create(session=session, user=user)[0] for user in learners]
    past = at(-3, hour=9)
    parts = list(session.parts.order_by("starts_at"))
    session = workshop_sessions.session_update(session=session, parts=[
        {"id": part.pk, "starts_at": past + timedelta(days=n), "ends_at": past + timedelta(days=n, hours=1),
         "required": part.required} for n, part in enumerate(parts)])
    return session, registrations, parts


def progress_of(registration) -> ActivityProgress | None:
    return ActivityProgress.objects.filter(enrollment=registration.enrollment,
                                           activity=registration.session.workshop.activity).first()


def test_attending_every_required_part_completes_the_activity(held, instructor):
    session, regs, (first, second, _optional) = held
    marks = [
        {"registration": regs[0].pk, "part": first.pk, "status": "attended"},
        {"registration": regs[0].pk, "part": second.pk, "status": "late"},
        {"registration": regs[1].pk, "part": first.pk, "status": "attended"},
        {"registration": regs[1].pk, "part": second.pk, "status": "absent"},
        {"registration": regs[2].pk, "part": first.pk, "status": "absent"},
        {"registration": regs[2].pk, "part": second.pk, "status": "absent"},
        {"registration": regs[3].pk, "part": first.pk, "status": "excused"},
    ]
    counts = workshop_attendance.attendance_record(session=session, actor=instructor, marks=marks)
    assert counts == {"created": 7, "changed": 0, "unchanged": 0}
    outcome = dict(Registration.objects.values_list("pk", "attendance"))
    assert [outcome[r.pk] for r in regs] == ["completed", "incomplete", "no_show", "pending"]
    assert progress_of(regs[0]).status == "passed"  # the optional third part is not needed
    assert progress_of(regs[1]).status == "failed"
    assert progress_of(regs[2]).status == "failed"
    assert progress_of(regs[3]) is None

    # Marking the same sheet again records nothing new and does not count another attempt.
    again = workshop_attendance.attendance_record(session=session, actor=instructor, marks=marks)
    assert again == {"created": 0, "changed": 0, "unchanged": 7}
    assert progress_of(regs[0]).attempts == 1

    # A correction: the absent learner did come to the second part.
    workshop_attendance.attendance_record(session=session, actor=instructor, marks=[
        {"registration": regs[1].pk, "part": second.pk, "status": "attended"}])
    assert Registration.objects.get(pk=regs[1].pk).attendance == "completed"
    assert progress_of(regs[1]).status == "passed"
    assert list(regs[1].events.filter(kind="attendance").values_list("detail__to", flat=True)) == [
        "incomplete", "completed"]


def test_required_workshop_completes_the_enrollment(instructor, workshop):
    from courses.enrollments.models import Enrollment
    from tests.courses.factories import activities_of

    course = course_of(workshop)
    learner = enrolled(course)
    enrollment = Enrollment.objects.get(user=learner, course=course)
    enrollment_services.lesson_complete(enrollment=enrollment, activity=activities_of(course)[0])
    session = make_session(workshop)
    registration, _ = workshop_sessions.registration_create(session=session, user=learner)
    part = session.parts.get()
    workshop_sessions.session_update(session=session, parts=[{"id": part.pk, "starts_at": at(-1), "ends_at": at(-0.9)}])
    workshop_attendance.attendance_record(session=session, actor=instructor, marks=[
        {"registration": registration.pk, "part": part.pk, "status": "attended"}])
    enrollment.refresh_from_db()
    assert enrollment.status == "completed" and enrollment.progress_percent == 100


def _nothing_written(session) -> tuple:
    return (AttendanceMark.objects.count(), sorted(Registration.objects.filter(session=session).values_list(
        "pk", "attendance")), ActivityProgress.objects.count())


@pytest.mark.parametrize("who", ["course_instructor_not_on_session", "learner", "other_session_instructor",
                                 "api_key"])
def test_only_the_sessions_instructors_take_attendance(held, who, org):
    session, regs, parts = held
    if who == "course_instructor_not_on_session":
        actor = people.UserFactory()
        session.workshop.activity.course.instructors.add(actor)
    elif who == "learner":
        actor = regs[0].user
    elif who == "other_session_instructor":
        actor = people.UserFactory()
        make_session(session.workshop, start=at(20), instructors=[actor])
    else:
        from lms.authentication import ApiKeyPrincipal

        actor = ApiKeyPrincipal(people.api_key_for(org)[0])
    before = _nothing_written(session)
    with pytest.raises(Forbidden):
        workshop_attendance.attendance_record(session=session, actor=actor, marks=[
            {"registration": regs[0].pk, "part": parts[0].pk, "status": "attended"}])
    assert _nothing_written(session) == before


@pytest.mark.parametrize("bad", ["unknown_registration", "waitlisted", "other_part", "status", "duplicate",
                                 "future_part", "empty"])
def test_bad_marks_are_refused_and_nothing_is_saved(held, instructor, bad):
    session, regs, parts = held
    good = {"registration": regs[0].pk, "part": parts[0].pk, "status": "attended"}
    other = make_session(session.workshop, start=at(30))
    if bad == "waitlisted":  # a place that is not a booked seat (set directly: the session is over)
        Registration.objects.filter(pk=regs[1].pk).update(status="waitlisted")
    future = make_session(session.workshop, start=at(40), instructors=[instructor])
    marks = {
        "unknown_registration": [good, {**good, "registration": 10**9}],
        "waitlisted": [good, {**good, "registration": regs[1].pk}],
        "other_part": [good, {**good, "part": other.parts.get().pk}],
        "status": [good, {**good, "part": parts[1].pk, "status": "asleep"}],
        "duplicate": [good, dict(good)],
        "future_part": [good, {**good, "part": future.parts.get().pk}],
        "empty": [],
    }[bad]
    before = _nothing_written(session)
    with pytest.raises(WorkshopError) as error:
        workshop_attendance.attendance_record(session=session, actor=instructor, marks=marks)
    assert error.value.code == "invalid_attendance"
    assert _nothing_written(session) == before


def test_a_part_not_started_takes_only_excused(workshop, instructor, learners):
    session = make_session(workshop)
    registration, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    part = session.parts.get()
    with pytest.raises(WorkshopError) as error:
        workshop_attendance.attendance_record(session=session, actor=instructor, marks=[
            {"registration": registration.pk, "part": part.pk, "status": "attended"}])
    assert "has not started" in str(error.value.fields)
    workshop_attendance.attendance_record(session=session, actor=instructor, marks=[
        {"registration": registration.pk, "part": part.pk, "status": "excused"}])
    assert AttendanceMark.objects.get().status == "excused"


def test_a_cancelled_session_takes_no_attendance(held, instructor):
    from courses.workshops.errors import WorkshopConflict

    session, regs, parts = held
    workshop_sessions.session_cancel(session=session)
    with pytest.raises(WorkshopConflict):
        workshop_attendance.attendance_record(session=session, actor=instructor, marks=[
            {"registration": regs[0].pk, "part": parts[0].pk, "status": "attended"}])


def test_superusers_may_mark_too(held):
    session, regs, parts = held
    admin = people.UserFactory(is_superuser=True, is_staff=True)
    workshop_attendance.attendance_record(session=session, actor=admin, marks=[
        {"registration": regs[0].pk, "part": parts[0].pk, "status": "attended"}])
    assert AttendanceMark.objects.get().marked_by == admin


def test_workshop_fixture_has_one_instructor():
    workshop = make_workshop()
    assert workshop.instructors.count() == 1
