"""The sweep's one write per kind: log the source's due rows that are not logged yet.

INSERT ... SELECT, set-based, under a unique key that turns a concurrent or repeated sweep into a
no-op. Identifiers come from the model and ``quote_name``; values travel as parameters.
The period's month (the partition key) is computed from the period; dated periods before the
retention horizon are not logged again (log_storage). A NOT EXISTS skips the rows already logged in
one anti-join (a re-sweep is mostly those), and ON CONFLICT settles the race with a concurrent sweep
(on PostgreSQL only after a plain INSERT lost it: see below).

PostgreSQL runs an INSERT's SELECT in one process, while a CREATE TABLE AS may use parallel workers.
So there the rows to log are found first, in parallel where the planner sees fit, into a temporary
table (no WAL; dropped at commit), then inserted: a re-sweep, which finds nothing new, costs finding the
due rows plus the anti-join (a hash of the kind's logged rows, which grows as older periods accumulate:
docs/reminder-log-growth.md), and inserts nothing. Its anti-join leaves out the month (a function
of the period, so redundant in the key) and no fence keeps the rows apart: the planner can hash the
log's rows of the kind once and probe it from every worker; the month is computed for new rows only.
Where a kind's months are known before the statement runs (a constant period, or a dated one), the
anti-join names them, so only those partitions are read (``_Months``).

The insert itself is a plain INSERT in the unique index's order, in a savepoint: ON CONFLICT's
speculative insertion (a probe of the unique index, then the insert, then its confirmation, per row)
cost about a third of the first pass in the bench, for a conflict that happens only when another sweep
or a nudge logged the same row between our anti-join and our insert. When that race is lost, the
unique index refuses the statement, the savepoint undoes it, and the same rows go in again with
ON CONFLICT DO NOTHING: the outcome is the same as before, and only the losing sweep pays twice.
"""
from __future__ import annotations

import contextlib
import datetime
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Value

import courses.reminders.log_storage as log_storage
from courses.reminders.models import ReminderLog
from courses.reminders.registry import DUE_COLUMNS

Status = ReminderLog.Status
_names = itertools.count()  # each call its own temporary table: several may share a transaction
_KEY_ORDER = ("r_recipient", "r_subject", "r_period")  # the unique index's order: its pages are filled in turn


def _key(left: str, right: str) -> str:
    quote = connection.ops.quote_name
    return " AND ".join(f"{left}.{quote(DUE_COLUMNS[alias])} = {right}.{quote(alias)}" for alias in _KEY_ORDER)


@contextlib.contextmanager
def sweep_memory():
    """PostgreSQL: REMINDER_SWEEP_WORK_MEM for this connection while the sweep runs (its kinds each commit
    on their own, so SET LOCAL would not outlive the first), then the server's default again. Enough memory
    for the anti-join's hash of the logged rows, which the default 4MB spills to disk in batches."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, false)", [settings.REMINDER_SWEEP_WORK_MEM])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET work_mem")
        except DatabaseError:  # an outer transaction failed: its rollback undoes the SET as well
            pass


@dataclass(frozen=True)
class _Months:
    """Where a kind's periods fall in the log's partitions, known before its statements run.

    ``logged``: a condition on the partition key the anti-join adds, so PostgreSQL reads only those
    partitions (the log holds every kind: without it each kind's anti-join scans all of them).
    ``new_row``: each new row's partition key, as cheaply as the kind allows. A constant period is logged
    in its own month (the timeless partition for "once"): one parameter for both. A dated kind
    (``dated_by``) logs days from the horizon's month on, never in the timeless partition; a day's month
    is its digits (no pattern test). Any other: every partition, and ``period_month_sql`` per row."""
    logged: str
    logged_params: list
    new_row: str
    new_row_params: list


def _months(queryset, *, dated_by: str | None, horizon_month: int, column: str) -> _Months:
    partition_key = f"logged.{connection.ops.quote_name('period_month')}"
    period = queryset.query.annotations.get("r_period")
    if isinstance(period, Value) and isinstance(period.value, str):
        month = log_storage.period_month(period.value)
        return _Months(f" AND {partition_key} = %s", [month], "%s", [month])
    if dated_by is not None:
        return _Months(f" AND {partition_key} >= %s", [horizon_month], log_storage.day_month_sql(column), [])
    return _Months("", [], log_storage.period_month_sql(connection.vendor, column), [])


def insert_due(queryset, *, kind: str, now: datetime.datetime, dated_by: str | None = None,
               few: bool = False) -> int:
    """Log the due rows of ``queryset`` (a source's ``due``) not logged yet; the number inserted (a row another
    writer logged meanwhile is not counted: it was not inserted here). ``dated_by``: the source's field whose
    date is the period (``ReminderSource.dated_by``); the field itself is compared with the first moment of
    the horizon's first day, instead of the period's text with its label. The same rows (a date is before
    that day exactly when the moment is before its first moment), and a plain range on a column: no
    expression per row, and the planner estimates it from the column's statistics.

    ``few``: the queryset is an incremental sweep's (sweep_marks.py), whose rows are usually few but whose
    conditions the planner cannot estimate (it would hash every logged row of the kind to compare a handful).
    On PostgreSQL its rows are then found first into a temporary table of their own, analyzed, and only
    they are compared with the log: by the unique index, row by row, when they are few, by a hash when not."""
    queryset = queryset.order_by()  # a model's default ordering would sort every due row for nothing
    retention = getattr(settings, "REMINDER_LOG_RETENTION_DAYS", 400)
    horizon = log_storage.horizon_labels(now, retention)
    quote = connection.ops.quote_name
    months = _months(queryset, dated_by=dated_by, horizon_month=log_storage.horizon_month(now, retention),
                     column=f"due.{quote('r_period')}")
    if dated_by is not None:
        queryset = queryset.filter(**{f"{dated_by}__gte": log_storage.first_moment(horizon[0])})
        within, horizon = "1 = 1", []
    else:
        within = log_storage.within_horizon_sql("found.r_period")
    compiler = queryset.query.get_compiler(using=queryset.db)
    select_sql, params = compiler.as_sql()
    aliases = [alias for _expr, _sql, alias in compiler.select]
    if sorted(aliases) != sorted(DUE_COLUMNS):
        raise ValueError(f"a reminder source must select exactly {sorted(DUE_COLUMNS)}, not {aliases}")
    table = quote(ReminderLog._meta.db_table)
    columns = ", ".join(quote(c) for c in [*(DUE_COLUMNS[alias] for alias in aliases), "period_month", "kind",
                                           "status", "created_at", "not_before", "attempts", "digest_period",
                                           "detail"])
    moment = connection.ops.adapt_datetimefield_value(now)
    values = [kind, Status.PENDING, moment, moment]
    if connection.vendor != "postgresql":
        return _insert_in_one_statement(select_sql, [*params, *horizon], within=within, table=table,
                                        columns=columns, aliases=aliases, kind=kind, values=values)
    found = f"reminder_due_{next(_names)}"
    # The caller's transaction, or one of its own (the temporary table lives until the commit).
    block = contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()
    with block, connection.cursor() as cursor:
        if few:
            window = f"reminder_window_{next(_names)}"
            cursor.execute(f"CREATE TEMPORARY TABLE {window} ON COMMIT DROP AS {select_sql}", params)
            if cursor.rowcount == 0:
                return 0
            cursor.execute(f"ANALYZE {window}")
            select_sql, params = f"SELECT * FROM {window}", []  # noqa: S608
        cursor.execute(f"CREATE TEMPORARY TABLE {found} ON COMMIT DROP AS SELECT found.* FROM ({select_sql}) "  # noqa: S608
                       f"found WHERE {within} AND NOT EXISTS (SELECT 1 FROM {table} logged WHERE "
                       f"logged.{quote('kind')} = %s AND {_key('logged', 'found')}{months.logged})",
                       [*params, *horizon, kind, *months.logged_params])
        if cursor.rowcount == 0:
            return 0
        insert = (f"INSERT INTO {table} ({columns}) SELECT due.*, {months.new_row}, %s, %s, %s, %s, 0, '', '' "  # noqa: S608
                  f"FROM {found} due ORDER BY {', '.join(quote(alias) for alias in _KEY_ORDER)}")
        try:
            with transaction.atomic():  # a savepoint: a lost race undoes only this statement
                cursor.execute(insert, [*months.new_row_params, *values])
        except IntegrityError:  # a concurrent writer logged one of these rows after our anti-join looked
            cursor.execute(f"{insert} ON CONFLICT DO NOTHING", [*months.new_row_params, *values])
        return max(cursor.rowcount, 0)


def _insert_in_one_statement(select_sql: str, params: list, *, within: str, table: str, columns: str,
                             aliases: list[str], kind: str, values: list) -> int:
    """SQLite: one INSERT ... SELECT; each row's month computed once, the anti-join on the whole key.
    The outer WHERE keeps SQLite from reading ON CONFLICT as part of the SELECT."""
    quote = connection.ops.quote_name
    picked = ", ".join(f"due.{quote(alias)}" for alias in [*aliases, "r_month"])
    month = log_storage.period_month_sql(connection.vendor, f"found.{quote('r_period')}")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {picked}, %s, %s, %s, %s, 0, '', '' FROM "  # noqa: S608
                       f"(SELECT found.*, {month} AS r_month FROM ({select_sql}) found WHERE {within}) due "
                       f"WHERE NOT EXISTS (SELECT 1 FROM "
                       f"{table} logged WHERE logged.{quote('kind')} = %s AND {_key('logged', 'due')} AND "
                       f"logged.{quote('period_month')} = due.r_month) ON CONFLICT DO NOTHING",
                       [*values, *params, kind])
        return max(cursor.rowcount, 0)
