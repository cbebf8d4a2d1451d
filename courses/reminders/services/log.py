"""The reminder log's upkeep and the sweep's plan: partitions made ahead of time, expired months dropped
(REMINDER_LOG_RETENTION_DAYS), and one sweep per organization on the long queue."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from courses.reminders import log_storage
from courses.reminders.models import ReminderLog, ReminderSweepMark
from courses.reminders.services import reminders_dispatch
from lms.models import Organization, User
from lms.queue import task_enqueue

ORGANIZATION_SWEEP = "courses.long.reminders_sweep_organization"
STALE_MARK = datetime.timedelta(days=7)


def _retention() -> int:
    return settings.REMINDER_LOG_RETENTION_DAYS


def reminder_log_partitions_ensure(*, now: datetime.datetime | None = None) -> list[int]:
    """Create the partitions the sweep may write into now (PostgreSQL; nothing to do on SQLite); the
    months created. Idempotent, and one catalog read when they are all there."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        return log_storage.partitions_ensure(cursor, ReminderLog._meta.db_table,
                                             [log_storage.TIMELESS, *log_storage.wanted_months(now, _retention())])


def reminder_log_maintain(*, now: datetime.datetime | None = None) -> dict:
    """The daily upkeep: make the coming months' partitions, drop the months retention has expired
    (on SQLite, delete their rows), delete pending rows whose recipient was deleted while a sweep
    logged them (there is no database constraint to refuse them; they could never be sent), and the sweep
    marks no sweep moved for a week (an organization deleted, a kind removed): such a mark could only ask
    for a full sweep, which a missing one does as well."""
    now = now or timezone.now()
    table = ReminderLog._meta.db_table
    before = log_storage.expired_before(now, _retention())
    created = reminder_log_partitions_ensure(now=now)
    with transaction.atomic(), connection.cursor() as cursor:
        if log_storage.is_partitioned(cursor, table):
            cursor.execute("SET LOCAL lock_timeout = '10s'")
            dropped, deleted = log_storage.partitions_drop(cursor, table, before=before), 0
        else:
            dropped, deleted = [], log_storage.rows_expire(cursor, table, before=before)
    orphans, _ = (ReminderLog.objects.filter(status=ReminderLog.Status.PENDING)
                  .exclude(recipient_id__in=User.objects.values("pk")).delete())
    stale_marks, _ = ReminderSweepMark.objects.filter(swept_until__lt=now - STALE_MARK).delete()
    return {"created": created, "dropped": dropped, "deleted": deleted, "orphans": orphans, "stale_marks": stale_marks}


def reminders_sweep_plan(*, now: datetime.datetime | None = None) -> dict:
    """The periodic sweep, split: one sweep task per organization (and one for reminders of no
    organization) on the long queue, which workers run in parallel; each logs its organization's due
    reminders. Before that, the partitions they write into are made sure of, and the rows already
    pending (deferred ones whose time has come) are dispatched here."""
    now = now or timezone.now()
    reminder_log_partitions_ensure(now=now)
    targets: list[int | None] = [*Organization.objects.order_by("pk").values_list("pk", flat=True), None]

    def publish() -> None:
        for organization_id in targets:
            task_enqueue(ORGANIZATION_SWEEP, args=[organization_id])

    transaction.on_commit(publish)
    return {"organizations": len(targets), **reminders_dispatch(now=now)}
