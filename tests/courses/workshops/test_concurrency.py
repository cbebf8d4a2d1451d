"""50 learners registering at once for 10 seats, on PostgreSQL (the session row lock is the guard)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from courses.workshops.models import Registration, RegistrationEvent, WorkshopSession
from courses.workshops.services import sessions as services
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks race only on PostgreSQL")


def _in_parallel(func, items) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(items))

    def run(item) -> None:
        try:
            barrier.wait(timeout=30)
            func(item)
        except BaseException as exc:  # surfaced to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_registrations_for_ten_seats():
    workshop = make_workshop()
    session = make_session(workshop, capacity=10)
    course = workshop.activity.course
    learners = [enrolled(course) for _ in range(50)]

    errors = _in_parallel(lambda user: services.registration_create(
        session=WorkshopSession.objects.get(pk=session.pk), user=user), learners)
    assert errors == []

    rows = list(Registration.objects.filter(session=session).order_by("ticket"))
    assert len(rows) == 50
    assert [r.ticket for r in rows] == list(range(1, 51))  # one arrival number each, no gaps, no repeats
    # Arrival order decides: the first ten to get the lock are booked, the other forty wait in order.
    assert [r.status for r in rows] == ["booked"] * 10 + ["waitlisted"] * 40
    session.refresh_from_db()
    assert session.next_ticket == 51

    # Ten parallel cancellations free ten seats: the next ten in arrival order move up, no one else.
    booked = rows[:10]
    errors = _in_parallel(lambda registration: services.registration_cancel(
        registration=registration, actor=registration.user), booked)
    assert errors == []
    statuses = dict(Registration.objects.filter(session=session).values_list("ticket", "status"))
    assert [statuses[t] for t in range(1, 51)] == ["cancelled"] * 10 + ["booked"] * 10 + ["waitlisted"] * 30
    promoted = [e.registration.ticket for e in RegistrationEvent.objects.filter(
        kind="promoted", registration__session=session).select_related("registration").order_by("id")]
    assert promoted == list(range(11, 21))

    # One by one, each cancellation promotes exactly the next in line.
    for ticket in range(11, 16):
        registration = Registration.objects.get(session=session, ticket=ticket)
        services.registration_cancel(registration=registration, actor=registration.user)
        assert Registration.objects.get(session=session, ticket=ticket + 10).status == "booked"
        assert Registration.objects.filter(session=session, status="booked").count() == 10
