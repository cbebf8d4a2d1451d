"""What the sweep reads to find the rows to log: a dated kind's retention horizon checked on its field (the
same rows as on the period's text, to the microsecond, in the sweep's time zone), only the log partitions a
kind's periods can be in, and no statement at all for a kind that is only ever sent by hand."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.reminders import log_storage
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.reminders.registry import sources
from courses.reminders.services import log as reminder_log
from courses.reminders.services.sweep_insert import insert_due
from tests import factories as people
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db

SAO_PAULO = "America/Sao_Paulo"


def test_the_first_moment_of_a_day_is_its_midnight_or_the_clock_change_that_skipped_it():
    with timezone.override(SAO_PAULO):
        assert log_storage.first_moment("2025-10-01") == datetime.datetime(2025, 10, 1, 3, 0, tzinfo=datetime.UTC)
        # 4 November 2018: clocks went from 23:59:59 straight to 01:00 (-02): the day began at 03:00 UTC.
        assert log_storage.first_moment("2018-11-04") == datetime.datetime(2018, 11, 4, 3, 0, tzinfo=datetime.UTC)
        assert timezone.localtime(datetime.datetime(2018, 11, 4, 2, 59, 59, tzinfo=datetime.UTC)).day == 3


@pytest.mark.parametrize(("kind", "field"), [("inactivity", "last_activity_at"), ("overdue", "due_at")])
def test_a_dated_kind_leaves_out_the_same_rows_by_its_field_as_by_its_period_text(org, course, settings, kind,
                                                                                   field):
    """400 days before NOW the horizon is October 2025, whose first day began at 03:00 UTC in São Paulo.
    Periods dated a microsecond before that are older than the horizon (in São Paulo they fall on 30
    September), the others are kept, whichever way the sweep checks: the same periods either way."""
    settings.REMINDER_LOG_RETENTION_DAYS = 400
    always_open(org)
    start = datetime.datetime(2025, 10, 1, 3, 0, tzinfo=datetime.UTC)
    for moment in (start - timedelta(microseconds=1), start, start + timedelta(days=20)):
        enrollment = enroll(learner(org), course, org, enrolled_days_ago=500, idle_days=1, due_in_days=-1)
        enrollment.__class__.objects.filter(pk=enrollment.pk).update(**{field: moment})
    source = sources()[kind]
    reminder_log.reminder_log_partitions_ensure(now=NOW)  # what the sweep does before its kinds

    def periods(dated_by: str | None) -> list[str]:
        with transaction.atomic():
            due = source.due(now=NOW, policies=reminders.effective_policies()[kind])
            assert insert_due(due, kind=kind, now=NOW, dated_by=dated_by) == 2
            logged = sorted(ReminderLog.objects.filter(kind=kind).values_list("period", flat=True))
            transaction.set_rollback(True)
        return logged

    with timezone.override(SAO_PAULO):
        by_field, by_text = periods(source.dated_by), periods(None)
    assert source.dated_by == field
    assert by_field == by_text == ["2025-10-01", "2025-10-21"]


def test_each_kind_logs_its_rows_once_whatever_partition_they_fall_in(org, course):
    """Rows of a dated kind (inactivity, overdue), of a timeless one ("once") and of a weekly one (the
    manager's digest): a second sweep finds every one of them already logged."""
    always_open(org)
    boss = people.MembershipFactory(organization=org, roles=["supervisor"])
    late = people.MembershipFactory(organization=org, manager=boss)
    enroll(late.user, course, org, enrolled_days_ago=20, idle_days=10, due_in_days=-1)
    enroll(learner(org), course, org, enrolled_days_ago=10)  # never started
    first = reminders.reminders_select(now=NOW)
    assert {kind: count for kind, count in first.items() if count} == {
        "inactivity": 1, "overdue": 1, "not_started": 1, "manager_digest": 1}
    assert sorted(ReminderLog.objects.values_list("kind", "period_month")) == [
        ("inactivity", 202611), ("manager_digest", 202611), ("not_started", 0), ("overdue", 202611)]
    assert sum(reminders.reminders_select(now=NOW + timedelta(minutes=15)).values()) == 0
    assert ReminderLog.objects.count() == 4


def _anti_join_plan(kind: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        reminders.reminders_select(now=NOW, kinds=[kind], full=True)  # a full sweep's anti-join
    [statement] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("CREATE TEMPORARY TABLE")]
    with connection.cursor() as cursor:  # the test's transaction still holds that temporary table
        cursor.execute(f"EXPLAIN {statement.replace('TABLE reminder_due_', 'TABLE explained_due_', 1)}")
        return "\n".join(line for (line,) in cursor.fetchall())


def test_on_postgresql_a_kind_reads_only_the_log_partitions_its_periods_can_be_in(org, course):
    """A "once" reminder is logged in the timeless partition and nowhere else; a dated one never there."""
    if connection.vendor != "postgresql":
        pytest.skip("the log is partitioned on PostgreSQL only")
    reminders.reminders_select(now=NOW)  # the partitions exist
    timeless = log_storage.partition_name(ReminderLog._meta.db_table, log_storage.TIMELESS)
    this_month = log_storage.partition_name(ReminderLog._meta.db_table, 202611)
    once = _anti_join_plan("not_started")
    assert timeless in once and this_month not in once
    dated = _anti_join_plan("inactivity")
    assert timeless not in dated and this_month in dated


def test_a_kind_sent_only_by_hand_costs_the_sweep_no_statement(org, course):
    enroll(learner(org), course, org, enrolled_days_ago=20, idle_days=1, due_in_days=-3)
    with CaptureQueriesContext(connection) as queries:
        result = reminders.reminders_select(now=NOW)
    assert sources()["hr_nudge"].swept is False
    assert "hr_nudge" not in result and result["overdue"] == 1
    assert not any("hr_nudge" in q["sql"] for q in queries.captured_queries)
