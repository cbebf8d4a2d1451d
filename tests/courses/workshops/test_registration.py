"""Registering, the waitlist and its promotions, approval, cancelling, and authoring rules (services)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.enrollments import services as enrollment_services
from courses.workshops.errors import WorkshopConflict, WorkshopError
from courses.workshops.models import Registration, RegistrationEvent, SessionPart, WorkshopEmail, WorkshopSession
from courses.workshops.services import sessions as workshop_sessions
from lms.errors import Forbidden
from tests import factories as people
from tests.courses.workshops.conftest import at, course_of, enrolled, make_session, make_workshop

pytestmark = pytest.mark.django_db


def state(session) -> list[tuple[str, str, int]]:
    """Everything about a session's registrations that a rule could change."""
    return sorted(Registration.objects.filter(session=session).values_list("user__email", "status", "ticket"))


def snapshot(session) -> tuple:
    session.refresh_from_db()
    return (state(session), RegistrationEvent.objects.count(), WorkshopEmail.objects.count(), session.next_ticket,
            session.sequence, session.capacity)


def test_seats_then_waitlist_in_arrival_order(session, learners):
    results = [workshop_sessions.registration_create(session=session, user=user)[0] for user in learners]
    assert [r.status for r in results] == ["booked", "booked", "waitlisted", "waitlisted"]
    assert [r.ticket for r in results] == [1, 2, 3, 4]
    # Booked learners get a REQUEST email logged; waitlisted ones none yet.
    assert sorted(WorkshopEmail.objects.values_list("to", "method")) == sorted(
        (user.email, "REQUEST") for user in learners[:2])


def test_registering_again_returns_the_same_place(session, learners):
    first, created = workshop_sessions.registration_create(session=session, user=learners[0])
    again, created_again = workshop_sessions.registration_create(session=session, user=learners[0])
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Registration.objects.count() == 1


def test_cancelling_a_seat_promotes_the_waitlist_in_order(session, learners):
    regs = [workshop_sessions.registration_create(session=session, user=user)[0] for user in learners]
    workshop_sessions.registration_cancel(registration=regs[1], actor=learners[1])
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert [statuses[u.pk] for u in learners] == ["booked", "cancelled", "booked", "waitlisted"]
    workshop_sessions.registration_cancel(registration=regs[0], actor=learners[0])
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert [statuses[u.pk] for u in learners] == ["cancelled", "cancelled", "booked", "booked"]
    promoted = RegistrationEvent.objects.filter(kind="promoted").order_by("id")
    assert [e.registration.user_id for e in promoted] == [learners[2].pk, learners[3].pk]
    kinds = sorted(WorkshopEmail.objects.values_list("kind", "method"))
    assert kinds.count(("promoted", "REQUEST")) == 2 and kinds.count(("cancelled", "CANCEL")) == 2


def test_cancelling_a_waitlisted_place_promotes_nobody(session, learners):
    regs = [workshop_sessions.registration_create(session=session, user=user)[0] for user in learners]
    workshop_sessions.registration_cancel(registration=regs[2], actor=learners[2])
    assert [r.status for r in Registration.objects.order_by("ticket")] == ["booked", "booked", "cancelled",
                                                                           "waitlisted"]


def test_history_is_kept_across_cancel_and_register_again(session, learners):
    user = learners[0]
    registration, _ = workshop_sessions.registration_create(session=session, user=user)
    workshop_sessions.registration_cancel(registration=registration, actor=user)
    again, created = workshop_sessions.registration_create(session=session, user=user)
    assert created and again.pk == registration.pk and again.status == "booked" and again.ticket == 2
    kinds = list(RegistrationEvent.objects.filter(registration=registration).values_list("kind", "actor_id"))
    assert kinds == [("booked", user.pk), ("cancelled", user.pk), ("booked", user.pk)]
    assert all(e.at for e in RegistrationEvent.objects.all())


@pytest.mark.parametrize("case,code", [
    ("past", "session_started"),
    ("cancelled", "session_cancelled"),
    ("completed", "session_started"),
    ("not_open", "registration_not_open"),
    ("closed", "registration_closed"),
    ("full_no_waitlist", "session_full"),
    ("not_enrolled", "not_enrolled"),
])
def test_refused_registrations_change_nothing(workshop, case, code):
    course = course_of(workshop)
    learner = enrolled(course)
    if case == "past":
        session = make_session(workshop, start=at(-1))
    elif case == "cancelled":
        session = make_session(workshop)
        workshop_sessions.session_cancel(session=session)
    elif case == "completed":
        session = make_session(workshop)
        workshop_sessions.session_update(session=session, status="completed")
    elif case == "not_open":
        session = make_session(workshop, registration_opens_at=at(1))
    elif case == "closed":
        session = make_session(workshop, registration_closes_at=at(-0.1))
    elif case == "full_no_waitlist":
        session = make_session(workshop, capacity=1, waitlist_enabled=False)
        workshop_sessions.registration_create(session=session, user=enrolled(course))
    else:
        session = make_session(workshop)
        learner = people.UserFactory()
    before = snapshot(session)
    with pytest.raises(WorkshopConflict) as error:
        workshop_sessions.registration_create(session=session, user=learner)
    assert error.value.code == code and error.value.status_code == 409
    assert snapshot(session) == before


def test_no_double_booking_of_overlapping_sessions(workshop, learners):
    start = at(5, hour=9)
    first = make_session(workshop, start=start, hours=3)
    overlapping = make_session(workshop, start=start + timedelta(hours=2), hours=2)
    later_same_day = make_session(workshop, start=start + timedelta(hours=3), hours=1)
    user = learners[0]
    workshop_sessions.registration_create(session=first, user=user)
    before = snapshot(overlapping)
    with pytest.raises(WorkshopConflict) as error:
        workshop_sessions.registration_create(session=overlapping, user=user)
    assert error.value.code == "overlapping_session"
    assert snapshot(overlapping) == before
    assert workshop_sessions.registration_create(session=later_same_day,
                                                 user=user)[0].status == "booked"  # touching is fine


def test_overlap_checks_every_part(workshop, learners):
    day1, day8 = at(4, hour=9), at(11, hour=9)
    two_days = make_session(workshop, parts=[{"starts_at": day1, "ends_at": day1 + timedelta(hours=2)},
                                             {"starts_at": day8, "ends_at": day8 + timedelta(hours=2)}])
    clash_on_day8 = make_session(workshop, start=day8 + timedelta(hours=1))
    workshop_sessions.registration_create(session=two_days, user=learners[0])
    with pytest.raises(WorkshopConflict, match="overlapping"):
        workshop_sessions.registration_create(session=clash_on_day8, user=learners[0])
    # Once the first place is cancelled, the other session is free to book.
    workshop_sessions.registration_cancel(registration=Registration.objects.get(session=two_days), actor=learners[0])
    assert workshop_sessions.registration_create(session=clash_on_day8, user=learners[0])[0].status == "booked"


def test_cancelling_after_the_cutoff_is_refused(workshop, learners):
    session = make_session(workshop, start=at(0.5), cancellation_cutoff_hours=24)
    registration, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    before = snapshot(session)
    with pytest.raises(WorkshopConflict) as error:
        workshop_sessions.registration_cancel(registration=registration, actor=learners[0])
    assert error.value.code == "cancellation_closed"
    assert snapshot(session) == before


def test_cancelling_twice_is_refused(session, learners):
    registration, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    workshop_sessions.registration_cancel(registration=registration, actor=learners[0])
    with pytest.raises(WorkshopConflict, match="already cancelled"):
        workshop_sessions.registration_cancel(registration=registration, actor=learners[0])


def test_manager_approval(org):
    manager = people.MembershipFactory(organization=org, roles=["supervisor"])
    learner = people.member(org, manager=manager)
    stranger = people.member(org)
    workshop = make_workshop(requires_approval=True)
    course = course_of(workshop)
    enrollment_services.enrollment_create(user=learner, course=course, organization=org)
    session = make_session(workshop, capacity=1)
    registration, _ = workshop_sessions.registration_create(session=session, user=learner)
    assert registration.status == "pending_approval" and WorkshopEmail.objects.count() == 0
    with pytest.raises(Forbidden):
        workshop_sessions.registration_decide(registration=registration, actor=stranger, approve=True)
    registration = workshop_sessions.registration_decide(registration=registration, actor=manager.user, approve=True)
    assert registration.status == "booked"
    assert list(registration.events.values_list("kind", "actor_id")) == [
        ("requested", learner.pk), ("approved", manager.user_id)]
    assert WorkshopEmail.objects.get().kind == "booked"
    with pytest.raises(WorkshopConflict, match="not waiting"):
        workshop_sessions.registration_decide(registration=registration, actor=manager.user, approve=False)


def test_approval_when_full_waitlists_and_decline(workshop, learners):
    workshop.requires_approval = True
    workshop.save()
    session = make_session(workshop, capacity=1)
    instructor = workshop.instructors.get()
    first, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    second, _ = workshop_sessions.registration_create(session=session, user=learners[1])
    third, _ = workshop_sessions.registration_create(session=session, user=learners[2])
    workshop_sessions.session_update(session=session, instructors=[instructor])
    assert workshop_sessions.registration_decide(registration=first, actor=instructor, approve=True).status == "booked"
    assert workshop_sessions.registration_decide(registration=second, actor=instructor,
                                                 approve=True).status == "waitlisted"
    assert workshop_sessions.registration_decide(registration=third, actor=instructor,
                                                 approve=False).status == "declined"


# --- authoring ------------------------------------------------------------------------------

@pytest.mark.parametrize("parts,field", [
    ("end_before_start", "parts[0].ends_at"),
    ("overlapping_parts", "parts"),
    ("none", "parts"),
    ("naive", "parts[0].starts_at"),
])
def test_bad_parts_are_refused(workshop, parts, field):
    start = at(2)
    specs = {
        "end_before_start": [{"starts_at": start, "ends_at": start - timedelta(hours=1)}],
        "overlapping_parts": [{"starts_at": start, "ends_at": start + timedelta(hours=2)},
                              {"starts_at": start + timedelta(hours=1), "ends_at": start + timedelta(hours=3)}],
        "none": [],
        "naive": [{"starts_at": start.replace(tzinfo=None), "ends_at": start.replace(tzinfo=None)}],
    }[parts]
    with pytest.raises(WorkshopError) as error:
        workshop_sessions.session_create(workshop=workshop, parts=specs, capacity=5)
    assert field in error.value.fields
    assert WorkshopSession.objects.count() == 0 and SessionPart.objects.count() == 0


def test_bad_session_fields_are_refused(workshop):
    for fields in ({"capacity": 0}, {"timezone": "Mars/Olympus"}, {"cancellation_cutoff_hours": -1},
                   {"registration_opens_at": at(2), "registration_closes_at": at(1)}):
        with pytest.raises(WorkshopError):
            make_session(workshop, **{"capacity": 5, **fields})
    assert WorkshopSession.objects.count() == 0


def test_capacity_below_bookings_is_refused_and_nothing_changes(session, learners):
    for user in learners[:2]:
        workshop_sessions.registration_create(session=session, user=user)
    before = snapshot(session)
    with pytest.raises(WorkshopConflict) as error:
        workshop_sessions.session_update(session=session, capacity=1, venue="Room 9")
    assert error.value.code == "capacity_below_bookings"
    assert snapshot(session) == before
    session.refresh_from_db()
    assert session.venue == ""


def test_end_before_start_on_update_changes_nothing(session):
    part = session.parts.get()
    before = (part.starts_at, part.ends_at, session.sequence)
    with pytest.raises(WorkshopError):
        workshop_sessions.session_update(session=session, parts=[{"id": part.pk, "starts_at": part.ends_at,
                                                                  "ends_at": part.starts_at}])
    part.refresh_from_db()
    session.refresh_from_db()
    assert (part.starts_at, part.ends_at, session.sequence) == before


def test_more_capacity_promotes_from_the_waitlist(session, learners):
    for user in learners:
        workshop_sessions.registration_create(session=session, user=user)
    workshop_sessions.session_update(session=session, capacity=3)
    assert [r.status for r in Registration.objects.order_by("ticket")] == ["booked", "booked", "booked",
                                                                           "waitlisted"]


def test_cancelling_a_session_cancels_every_place(session, learners):
    for user in learners:
        workshop_sessions.registration_create(session=session, user=user)
    workshop_sessions.session_cancel(session=session, reason="Trainer ill")
    session.refresh_from_db()
    assert session.status == "cancelled" and session.sequence == 1
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(WorkshopEmail.objects.filter(kind="session_cancelled").values_list("to", flat=True)) == sorted(
        u.email for u in learners[:2])
    with pytest.raises(WorkshopConflict):
        workshop_sessions.session_update(session=session, capacity=5)


def test_workshop_needs_a_workshop_activity():
    from tests.courses.factories import activities_of, build_course

    course = build_course(activities=[{"title": "Lesson"}])
    with pytest.raises(WorkshopError) as error:
        workshop_sessions.workshop_create(activity=activities_of(course)[0])
    assert error.value.code == "not_a_workshop"


def test_session_times_follow_its_parts(workshop):
    day1, day2 = at(6, hour=8), at(9, hour=14)
    session = make_session(workshop, parts=[{"starts_at": day2, "ends_at": day2 + timedelta(hours=1)},
                                            {"starts_at": day1, "ends_at": day1 + timedelta(hours=2)}])
    assert (session.starts_at, session.ends_at) == (day1, day2 + timedelta(hours=1))
    assert session.starts_at > timezone.now()
