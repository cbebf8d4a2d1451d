"""The reminder log built for scale: the period's month (Python and SQL agree), retention that drops only
expired months (the clock moved forward), at most once across retention, the timeless partition that
stays, foreign keys without database checks, and the sweep split per organization."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.reminders import log_storage
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.reminders.services import log as reminder_log
from courses.reminders.tasks import reminders_sweep_organization
from lms.models import User
from tests import factories as people
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db

TABLE = ReminderLog._meta.db_table
PERIODS = {
    "2026-11-25": 202611, "2026-01-01": 202601, "1999-12-31": 199912,
    "2026-W48": 202611, "2026-W01": 202512,  # ISO week 1 of 2026 starts on Monday 29 December 2025
    "2020-W53": 202012, "2027-W05": 202702, "once": 0, "24h": 0, "30m": 0, "": 0, "earlier": 0,
}


def partitioned() -> bool:
    with connection.cursor() as cursor:
        return log_storage.is_partitioned(cursor, TABLE)


def months_with_partitions() -> list[int]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        return log_storage.partition_months(cursor, TABLE)


def row(recipient, period: str, *, kind: str = "inactivity", subject: int = 1, **fields) -> ReminderLog:
    return ReminderLog.objects.create(recipient=recipient, kind=kind, subject_id=subject, period=period, **fields)


def test_the_month_of_a_period_in_python():
    assert {period: log_storage.period_month(period) for period in PERIODS} == PERIODS
    assert log_storage.period_month("2026-W60") == 0  # no such week


def test_sql_computes_the_same_month_as_python():
    expression = log_storage.period_month_sql(connection.vendor, "p.period")
    values = " UNION ALL ".join(["SELECT %s AS period"] * len(PERIODS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.period, {expression} FROM ({values}) p WHERE 1 = %s",  # noqa: S608
                       [*PERIODS, 1])
        assert dict(cursor.fetchall()) == PERIODS


def test_the_shortcut_for_a_kind_whose_periods_are_days_gives_the_same_month():
    days = {period: month for period, month in PERIODS.items() if len(period) == 10 and period[4] == "-"}
    assert len(days) == 3
    values = " UNION ALL ".join(["SELECT %s AS period"] * len(days))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.period, {log_storage.day_month_sql('p.period')} FROM ({values}) p",  # noqa: S608
                       list(days))
        assert dict(cursor.fetchall()) == days


def test_month_arithmetic():
    assert log_storage.month_add(202611, 1) == 202612
    assert log_storage.month_add(202612, 1) == 202701
    assert log_storage.month_add(202601, -1) == 202512
    assert log_storage.month_add(202611, 13) == 202712
    months = log_storage.wanted_months(NOW, 400)
    assert months[0] == 202510 and months[-1] == 202712 and len(months) == 27


def test_the_horizon_compared_on_the_text_matches_the_month():
    """NOW - 400 days is in October 2025; its first Monday is the 6th, in ISO week 41."""
    assert log_storage.horizon_labels(NOW, 400) == ["2025-10-01", "2025-W41"]
    horizon = log_storage.horizon_month(NOW, 400)
    periods = ["2025-09-30", "2025-10-01", "2025-W40", "2025-W41", "2020-W53", "2026-W01", "once", "24h", "2026-11-25"]
    condition = log_storage.within_horizon_sql("p.period")
    values = " UNION ALL ".join(["SELECT %s AS period"] * len(periods))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.period FROM ({values}) p WHERE {condition}",  # noqa: S608
                       [*periods, *log_storage.horizon_labels(NOW, 400)])
        kept = {period for (period,) in cursor.fetchall()}
    assert kept == {period for period in periods
                    if log_storage.period_month(period) in (0,) or log_storage.period_month(period) >= horizon}
    assert kept == {"2025-10-01", "2025-W41", "2026-W01", "once", "24h", "2026-11-25"}


def test_every_row_gets_the_month_of_its_period_whatever_the_caller_passes(org):
    person = learner(org)
    dated = row(person, "2026-11-25", period_month=0)
    weekly = row(person, "2026-W01", kind="manager_digest")
    once = row(person, "once", kind="not_started")
    ReminderLog.objects.bulk_create([ReminderLog(recipient=person, kind="digest", subject_id=person.pk,
                                                 period="2026-10-02")])
    assert dict(ReminderLog.objects.values_list("id", "period_month")) == {
        dated.pk: 202611, weekly.pk: 202512, once.pk: 0,
        ReminderLog.objects.get(kind="digest").pk: 202610}


def test_on_postgresql_the_log_is_partitioned_by_month_with_a_timeless_partition():
    if connection.vendor != "postgresql":
        assert not partitioned()
        return
    assert partitioned()
    months = months_with_partitions()
    assert log_storage.TIMELESS in months
    assert set(log_storage.wanted_months(datetime.datetime.now(datetime.UTC), 400)) <= set(months)


def test_retention_drops_only_the_expired_months(org, settings):
    """The clock moved 500 days past NOW (to 2028-04-08) with 400 days' retention: the horizon is
    2027-03-05, so months before March 2027 go, March 2027 and later stay, and the timeless rows stay
    whatever their age."""
    settings.REMINDER_LOG_RETENTION_DAYS = 400
    person = learner(org)
    later = NOW + timedelta(days=500)
    reminder_log.reminder_log_maintain(now=NOW)
    reminder_log.reminder_log_partitions_ensure(now=later)
    for n, period in enumerate(["2026-11-25", "2027-01-31", "2027-02-28", "2027-03-01", "2027-04-15", "once", "24h"]):
        row(person, period, subject=n, kind="not_started" if period == "once" else "inactivity")
    before = set(months_with_partitions())

    result = reminder_log.reminder_log_maintain(now=later)

    assert sorted(ReminderLog.objects.values_list("period", flat=True)) == [
        "2027-03-01", "2027-04-15", "24h", "once"]
    if partitioned():
        expected_dropped = sorted(month for month in before if 0 < month < 202703)
        assert result["dropped"] == expected_dropped and 202611 in expected_dropped and 202701 in expected_dropped
        assert set(months_with_partitions()) == before - set(expected_dropped) | set(result["created"])
        assert min(month for month in months_with_partitions() if month) == 202703
        assert log_storage.month_add(202804, log_storage.MONTHS_AHEAD) in months_with_partitions()
    else:
        assert result["deleted"] == 3
    again = reminder_log.reminder_log_maintain(now=later)
    assert again["dropped"] == [] and again["deleted"] == 0 and again["created"] == []


def test_a_period_retention_dropped_is_never_logged_again(org, course, settings):
    """Overdue since NOW: logged once; 500 days later its month is gone, the enrollment is still active
    and overdue, and the sweep still logs nothing: at most once survives retention."""
    settings.REMINDER_LOG_RETENTION_DAYS = 400
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=40, idle_days=1, due_in_days=-2)
    assert reminders.reminders_select(now=NOW, kinds=["overdue"]) == {"overdue": 1}
    assert ReminderLog.objects.get().period_month == 202611
    later = NOW + timedelta(days=500)
    reminder_log.reminder_log_maintain(now=later)
    assert not ReminderLog.objects.exists()
    assert reminders.reminders_select(now=later, kinds=["overdue"]) == {"overdue": 0}
    assert not ReminderLog.objects.exists()


def test_a_once_reminder_outlives_retention_and_is_not_sent_again(org, course, settings):
    settings.REMINDER_LOG_RETENTION_DAYS = 400
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=10)  # never started
    assert reminders.reminders_select(now=NOW, kinds=["not_started"]) == {"not_started": 1}
    later = NOW + timedelta(days=800)
    reminder_log.reminder_log_maintain(now=later)
    assert ReminderLog.objects.get().period == "once"
    assert reminders.reminders_select(now=later, kinds=["not_started"]) == {"not_started": 0}


def test_a_sweep_makes_the_partitions_of_its_moment(org, course):
    """A moment long before the migration ran (as a test or a catch-up may sweep at): its months get
    partitions before anything is written, and the rows land in them."""
    long_ago = NOW - timedelta(days=990)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=9, now=long_ago)
    assert reminders.reminders_select(now=long_ago, kinds=["inactivity"]) == {"inactivity": 1}
    month = log_storage.period_month((long_ago - timedelta(days=9)).date().isoformat())
    assert ReminderLog.objects.get().period_month == month == 202403  # idle since 2024-03-01
    if partitioned():
        assert month in months_with_partitions()


def test_a_deleted_enrollment_leaves_its_rows_which_are_suppressed_not_sent(org, course):
    always_open(org)
    person = learner(org)
    enrollment = enroll(person, course, org, enrolled_days_ago=30, idle_days=9)
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    enrollment_id = enrollment.pk
    enrollment.delete()
    [log] = ReminderLog.objects.all()
    assert log.enrollment_id == enrollment_id  # no database constraint: the id stays behind
    assert reminders.reminders_dispatch(now=NOW)["suppressed"] == 1
    assert ReminderLog.objects.get().detail == "enrollment deleted"


def test_deleting_a_person_deletes_their_rows_and_upkeep_removes_orphans(org, course):
    person, other = learner(org), people.UserFactory()  # no membership: the raw delete below breaks nothing
    row(person, "2026-11-25")
    orphan = row(other, "2026-11-25")
    person.delete()
    assert list(ReminderLog.objects.values_list("pk", flat=True)) == [orphan.pk]
    with connection.cursor() as cursor:  # as if deleted while a sweep was logging: nothing refuses the row
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(User._meta.db_table)} WHERE id = %s",  # noqa: S608
                       [other.pk])
    assert reminder_log.reminder_log_maintain(now=NOW)["orphans"] == 1
    assert not ReminderLog.objects.exists()


def test_each_organizations_sweep_logs_only_its_own_reminders(org, course):
    other_org = people.OrganizationFactory()
    always_open(org)
    always_open(other_org)
    mine, theirs, nobodys = learner(org), learner(other_org), people.UserFactory()
    for person, organization in ((mine, org), (theirs, other_org), (nobodys, None)):
        enroll(person, course, organization, enrolled_days_ago=30, idle_days=9)

    assert reminders.reminders_sweep(now=NOW, organization_ids=[org.pk])["inserted"]["inactivity"] == 1
    assert set(ReminderLog.objects.values_list("recipient_id", flat=True)) == {mine.pk}
    assert reminders.reminders_sweep(now=NOW, organization_ids=[None])["inserted"]["inactivity"] == 1
    assert set(ReminderLog.objects.values_list("recipient_id", flat=True)) == {mine.pk, nobodys.pk}
    result = reminders.reminders_sweep(now=NOW, organization_ids=[other_org.pk, org.pk])
    assert result["inserted"]["inactivity"] == 1
    quiet = reminders.reminders_sweep(now=NOW, organization_ids=[org.pk])
    assert quiet == {"inserted": {kind: 0 for kind in quiet["inserted"]}}  # nothing new: no dispatch


def test_the_plan_enqueues_one_sweep_per_organization_on_the_long_queue(org, course, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    other_org = people.OrganizationFactory()
    always_open(org)
    always_open(other_org)
    for organization in (org, other_org, None):
        person = learner(organization) if organization else people.UserFactory()
        enroll(person, course, organization, enrolled_days_ago=30, idle_days=9)
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(reminder_log, "task_enqueue", lambda name, *, args: sent.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        result = reminder_log.reminders_sweep_plan(now=NOW)

    assert result["organizations"] == 3
    assert sent == [(reminder_log.ORGANIZATION_SWEEP, [org.pk]), (reminder_log.ORGANIZATION_SWEEP, [other_org.pk]),
                    (reminder_log.ORGANIZATION_SWEEP, [None])]
    task = reminders_sweep_organization
    assert task.name == reminder_log.ORGANIZATION_SWEEP
    assert task.app.amqp.router.route({}, task.name)["queue"].name == "long"
    for _name, args in sent:
        task.apply(args=args).get()
    assert ReminderLog.objects.filter(kind="inactivity").count() == 3


def test_the_plan_costs_the_same_queries_for_2_and_20_organizations(django_capture_on_commit_callbacks):
    def plan_queries() -> int:
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
            reminder_log.reminders_sweep_plan(now=NOW)
        return len(queries)

    for _ in range(2):
        people.OrganizationFactory()
    plan_queries()  # the first may create the partitions of NOW's months (PostgreSQL): counted apart
    few = plan_queries()
    for _ in range(18):
        people.OrganizationFactory()
    assert plan_queries() == few
