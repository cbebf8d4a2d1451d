"""The migration that builds the log for scale carries every existing row over, each with its period's
month, keeps the ids (and the next id after them), and can be undone."""
from __future__ import annotations

import pytest
from django.db import connection

from courses.reminders import log_storage
from courses.reminders.models import ReminderLog
from tests import factories as people
from tests.migration_steps import migrate, newest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("courses", "0010_course_covers")]
TABLE = ReminderLog._meta.db_table



def test_existing_rows_are_carried_over_with_their_months():
    person = people.UserFactory()
    migrate(BEFORE)
    try:
        rows = [(101, "inactivity", 1, "2026-11-20"), (102, "manager_digest", 2, "2026-W01"),
                (103, "not_started", 3, "once"), (104, "workshop_session_soon", 4, "24h")]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for pk, kind, subject, period in rows:
                cursor.execute(
                    f"INSERT INTO {quote(TABLE)} (id, recipient_id, kind, subject_id, period, status, "  # noqa: S608
                    "created_at, not_before, attempts, digest_period, detail) "
                    "VALUES (%s, %s, %s, %s, %s, 'sent', %s, %s, 1, '', '')",
                    [pk, person.pk, kind, subject, period, "2026-11-20 10:00:00+00:00", "2026-11-20 10:00:00+00:00"])
    finally:
        migrate(newest())

    assert sorted(ReminderLog.objects.values_list("id", "period", "period_month", "status")) == [
        (101, "2026-11-20", 202611, "sent"), (102, "2026-W01", 202512, "sent"),
        (103, "once", 0, "sent"), (104, "24h", 0, "sent")]
    with connection.cursor() as cursor:
        assert log_storage.is_partitioned(cursor, TABLE) == (connection.vendor == "postgresql")
    fresh = ReminderLog.objects.create(recipient=person, kind="inactivity", subject_id=9, period="2026-11-21")
    assert fresh.pk > 104 and fresh.period_month == 202611


def test_the_migration_can_be_undone_and_redone():
    person = people.UserFactory()
    ReminderLog.objects.create(recipient=person, kind="inactivity", subject_id=1, period="2026-11-20")
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            assert not log_storage.is_partitioned(cursor, TABLE)
            cursor.execute(f"SELECT period FROM {connection.ops.quote_name(TABLE)}")  # noqa: S608
            assert cursor.fetchall() == [("2026-11-20",)]
    finally:
        migrate(newest())
    assert list(ReminderLog.objects.values_list("period", "period_month")) == [("2026-11-20", 202611)]
