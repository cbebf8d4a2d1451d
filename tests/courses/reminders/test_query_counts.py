"""The sweep's query count does not grow with the number of enrollments (10 vs 1,000), with every
outcome present at both sizes: sent, deferred (quiet hours), suppressed (opted out), folded (cap)."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import NotificationPreference, ReminderLog, ReminderSweepMark
from courses.reminders.services import log as reminder_log
from lms.models import Membership, User
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open

pytestmark = pytest.mark.django_db


def population(org, courses, size: int, tag: str, extras=None) -> None:
    """``size`` enrollments: a fifth in Tokyo (quiet now), a fifth opted out, one learner with several
    courses (over the daily cap), the rest plain; all idle long enough for the inactivity reminder."""
    heavy = len(courses)
    users = User.objects.bulk_create([
        User(email=f"{tag}-{n}@example.com", first_name=f"L{n}", timezone="Asia/Tokyo" if n % 5 == 1 else "")
        for n in range(size - heavy + 1)])
    Membership.objects.bulk_create([Membership(user=user, organization=org) for user in users])
    NotificationPreference.objects.bulk_create([NotificationPreference(user=user, email_enabled=False)
                                                for n, user in enumerate(users) if n % 5 == 2])
    rows = [Enrollment(user=users[0], course=course, organization=org) for course in courses]
    rows += [Enrollment(user=user, course=courses[n % heavy], organization=org) for n, user in enumerate(users[1:])]
    for row in rows:
        row.enrolled_at, row.last_activity_at, row.progress_percent = (NOW - timedelta(days=30),
                                                                       NOW - timedelta(days=10), 40)
    Enrollment.objects.bulk_create(rows)
    if extras is not None:
        extras(rows)
    assert Enrollment.objects.filter(user__email__startswith=f"{tag}-").count() == size


def sweep_queries(django_capture_on_commit_callbacks) -> tuple[int, dict, list[str]]:
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        result = reminders.reminders_sweep(now=NOW)
    return len(queries), result, [q["sql"] for q in queries.captured_queries]


def workshop_and_reviews(org, courses):
    """The kinds of workshops and of another app present at both sizes: every learner of the first
    course booked in a session starting in 5 hours; every learner of the second owing a peer review."""
    from assessments.roleplays.models import ReviewAssignment, ReviewerRole
    from courses.workshops.models import Registration, SessionPart, WorkshopSession
    from tests.assessments.roleplays.factories import perform, world
    from tests.courses.workshops.conftest import make_workshop

    workshop = make_workshop(course=build_course(title="Workshop course", activities=[{"kind": "workshop"}]))
    session = WorkshopSession.objects.create(workshop=workshop, capacity=100_000, starts_at=NOW + timedelta(hours=5),
                                             ends_at=NOW + timedelta(hours=7))
    SessionPart.objects.create(session=session, starts_at=session.starts_at, ends_at=session.ends_at)
    w = world(org, learners=1)
    performance = perform(w, 0)
    ReviewAssignment.objects.all().delete()

    def add(rows):
        first, second = rows[::2], rows[1::2]
        Registration.objects.bulk_create([Registration(session=session, user_id=e.user_id, enrollment=e,
                                                       status=Registration.Status.BOOKED, ticket=n + 1)
                                          for n, e in enumerate(first)], ignore_conflicts=True)
        ReviewAssignment.objects.bulk_create([ReviewAssignment(performance=performance, reviewer_id=e.user_id,
                                                               role=ReviewerRole.PEER, due_at=NOW + timedelta(days=1))
                                              for e in second], ignore_conflicts=True)

    return add


def test_sweep_queries_are_the_same_for_10_and_1000_enrollments(org, django_capture_on_commit_callbacks):
    # The partitions of NOW's months, as the daily upkeep makes them: the sweep then only reads the catalog.
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org, daily_cap=2, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    courses = [build_course(title=f"Course {n}", activities=[{}]) for n in range(4)]

    extras = workshop_and_reviews(org, courses)
    population(org, courses, 10, "small", extras)
    small, small_result, _ = sweep_queries(django_capture_on_commit_callbacks)
    assert small_result["inserted"]["inactivity"] == 10
    assert small_result["inserted"]["workshop_session_soon"] > 0 and small_result["inserted"]["peer_reviews_owed"] > 0
    assert all(small_result[key] > 0 for key in ("sent", "deferred", "suppressed", "folded")), small_result

    ReminderLog.objects.all().delete()
    ReminderSweepMark.objects.all().delete()  # so the second sweep is a full one as well
    Enrollment.objects.filter(user__email__startswith="small-").delete()  # the role-play's enrollment stays
    population(org, courses, 1000, "large", extras)
    large, large_result, large_sql = sweep_queries(django_capture_on_commit_callbacks)
    assert large_result["inserted"]["inactivity"] == 1000
    assert large_result["inserted"]["workshop_session_soon"] >= 400
    assert large_result["inserted"]["peer_reviews_owed"] >= 400
    assert all(large_result[key] > 0 for key in ("sent", "deferred", "suppressed", "folded")), large_result
    assert large == small, "\n".join(large_sql)
    # 1 for the policies, 1 for the log's partitions (PostgreSQL), 1 for the kinds' sweep marks, 4 per kind
    # (an INSERT ... SELECT and the upsert of its mark in their own transaction; on PostgreSQL one more when it
    # finds new rows: a CREATE TEMPORARY TABLE AS that may run in parallel, then the INSERT from it, in a
    # savepoint of 2 statements), 8 for the dispatch (ids, rows,
    # recent claims, one UPDATE per reason, deferral instant and digest day, the digests); on PostgreSQL 2 for
    # the sweep's work_mem (set, reset).
    kinds = len(small_result["inserted"])  # 9 kinds (leadership_feedback included; hr_nudge is never swept)
    found = sum(1 for count in small_result["inserted"].values() if count)
    extra = 2 + 2 * found if connection.vendor == "postgresql" else 0
    assert small <= 42 + 2 * kinds + extra, small


def _send_statements(org, tag: str, people: int) -> tuple[list[str], dict]:
    from tests.courses.reminders.conftest import enroll, learner

    course = build_course(title=f"Course {tag}", activities=[{}])
    for _ in range(people):
        enroll(learner(org), course, org, enrolled_days_ago=5)
    reminders.reminders_select(now=NOW)
    ids = list(ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).values_list("pk", flat=True))
    assert len(ids) == people
    with CaptureQueriesContext(connection) as queries:
        result = reminders.reminders_send(log_ids=ids, now=NOW)
    return [query["sql"] for query in queries.captured_queries], result


def test_sending_takes_one_statement_per_message(org, smtp_backend):
    """Over a real SMTP server: each message costs one statement, the UPDATE that claims it and records
    the one before as sent; the batch adds a constant few (its rows, the sources' reads, the last
    message's ``sent``)."""
    always_open(org, daily_cap=10)
    small, small_result = _send_statements(org, "small", 4)
    assert small_result == {"sent": 4, "retry": 0, "failed": 0, "suppressed": 0}
    ReminderLog.objects.update(status=ReminderLog.Status.SUPPRESSED)  # out of the next batch's way
    large, large_result = _send_statements(org, "large", 12)
    assert large_result == {"sent": 12, "retry": 0, "failed": 0, "suppressed": 0}
    assert len(large) - len(small) == 12 - 4, "\n".join(large)
    claims = [sql for sql in large if sql.startswith(f'UPDATE "{ReminderLog._meta.db_table}"')]
    assert len(claims) == 12 + 1  # 12 claims (11 of them recording the one before as sent), the last "sent"
    assert len(large) - len(claims) <= 4, "\n".join(large)  # the batch's reads
    assert ReminderLog.objects.filter(status=ReminderLog.Status.SENT, sent_at__isnull=False).count() == 12
    assert ReminderLog.objects.filter(status=ReminderLog.Status.SENDING).count() == 0
    assert set(ReminderLog.objects.filter(status=ReminderLog.Status.SENT).values_list("attempts", flat=True)) == {1}
    assert len(smtp_backend.handler.received()) == 16
