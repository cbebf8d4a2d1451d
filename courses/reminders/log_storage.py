"""How the reminder log is stored: the month of each period, the partitions, and retention.

On PostgreSQL the log is a table partitioned by ``period_month`` (declarative range partitioning): one
partition per calendar month of the periods (``202612`` holds every period that falls in December 2026)
and one partition, ``0``, for periods that name no time ("once", a workshop lead such as "24h").
Retention drops whole monthly partitions; the timeless one is never dropped, because a reminder sent
"once" must stay logged for as long as it could be due again. On SQLite the log is one plain table with
the same columns and keys; retention deletes the same rows.

``period_month`` is a function of the period text alone (``period_month`` below, and its SQL twin
``period_month_sql``, which the tests hold to the same answers on both databases). That is what keeps
the unique key (recipient, kind, subject, period, period_month) exactly as strong as the original
(recipient, kind, subject, period): two rows with the same period always carry the same month.

The sweep never logs a dated period older than the retention horizon (``horizon_month``), and
maintenance drops only months older than that horizon by one more day. So a period retention has
removed is never logged again, and at most once still holds after its rows are gone.
"""
from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone

TIMELESS = 0  # the partition of periods that name no time; never dropped
MONTHS_AHEAD = 13  # a policy's days go up to 365: due-soon periods reach at most a year ahead
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"\d{4}-W\d{2}")


def month_of(day: datetime.date) -> int:
    return day.year * 100 + day.month


def month_add(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def month_start(month: int) -> datetime.date:
    return datetime.date(month // 100, month % 100, 1)


def period_month(period: str) -> int:
    """YYYYMM of a dated period (a day ``2026-12-06``, or an ISO week ``2026-W49`` by its Monday); 0 for
    a period that names no time. A day is read from its text (year and month digits) exactly as the SQL
    twin does; the sources only ever write real dates there."""
    if _DATE.fullmatch(period):
        return int(period[:4]) * 100 + int(period[5:7])
    if _WEEK.fullmatch(period):
        try:
            return month_of(datetime.date.fromisocalendar(int(period[:4]), int(period[6:]), 1))
        except ValueError:  # no such week: the SQL twin refuses it too
            return TIMELESS
    return TIMELESS


def day_month_sql(column: str) -> str:
    """The month of ``column``, a period known to be a day (``YYYY-MM-DD``): its year and month digits."""
    return f"CAST(substr({column}, 1, 4) || substr({column}, 6, 2) AS INTEGER)"


def period_month_sql(vendor: str, column: str) -> str:
    """The same function in SQL over ``column`` (an expression that is safe to repeat), written for a
    statement that has parameters (a percent sign is doubled). Days, the common case, cost a pattern
    match and a cast; only weeks go through the calendar."""
    day = day_month_sql(column)
    if vendor == "postgresql":
        return (f"(CASE WHEN {column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN {day} "
                f"WHEN {column} ~ '^[0-9]{{4}}-W[0-9]{{2}}$' "
                f"THEN to_char(to_date({column}, 'IYYY-\"W\"IW'), 'YYYYMM')::integer ELSE 0 END)")
    digit = "[0-9]"
    monday = (f"date(substr({column}, 1, 4) || '-01-04', '-6 days', 'weekday 1', "
              f"'+' || ((CAST(substr({column}, 7, 2) AS INTEGER) - 1) * 7) || ' days')")
    return (f"(CASE WHEN {column} GLOB '{digit * 4}-{digit * 2}-{digit * 2}' THEN {day} "
            f"WHEN {column} GLOB '{digit * 4}-W{digit * 2}' "
            f"THEN CAST(strftime('%%Y%%m', {monday}) AS INTEGER) ELSE 0 END)")


def horizon_month(now: datetime.datetime, retention_days: int) -> int:
    """The oldest month the sweep still logs: dated periods before it are treated as long gone."""
    return month_of((now - datetime.timedelta(days=retention_days)).date())


def horizon_labels(now: datetime.datetime, retention_days: int) -> list[str]:
    """The horizon as the sweep compares it, on the period text itself (ISO dates and week labels sort
    as they fall): the first day of the horizon month, and the label of the first week whose Monday is
    in it or later. A period is older than the horizon exactly when its month is."""
    first = month_start(horizon_month(now, retention_days))
    year, week, _ = (first + datetime.timedelta(days=(7 - first.weekday()) % 7)).isocalendar()
    return [first.isoformat(), f"{year}-W{week:02d}"]


def first_moment(day: str) -> datetime.datetime:
    """The first moment of ``day`` (ISO) in the current time zone, the one ``date_period`` dates in, in UTC
    (fold 0: where a clock change skips midnight, the moment of the change; where midnight comes twice,
    the first)."""
    local = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(0),
                                      tzinfo=timezone.get_current_timezone())
    return local.astimezone(datetime.UTC)


def within_horizon_sql(column: str) -> str:
    """True unless ``column`` is a dated period older than the horizon; takes ``horizon_labels`` as its
    two parameters. Text comparisons only: far cheaper per row than computing the month."""
    return (f"(CASE WHEN {column} LIKE '____-__-__' THEN {column} >= %s "
            f"WHEN {column} LIKE '____-W__' THEN {column} >= %s ELSE 1 = 1 END)")


def expired_before(now: datetime.datetime, retention_days: int) -> int:
    """Months before this one may be dropped: a day older than the sweep's horizon, so a sweep that
    started just before midnight never writes into a month being dropped."""
    return month_of((now - datetime.timedelta(days=retention_days + 1)).date())


def wanted_months(now: datetime.datetime, retention_days: int) -> list[int]:
    """Every month that must have a partition now: from the horizon to ``MONTHS_AHEAD`` months ahead."""
    first, last = horizon_month(now, retention_days), month_add(month_of(now.date()), MONTHS_AHEAD)
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def partition_name(table: str, month: int) -> str:
    return f"{table}_timeless" if month == TIMELESS else f"{table}_p{month}"


def partition_bounds(month: int) -> tuple[int, int]:
    return (TIMELESS, TIMELESS + 1) if month == TIMELESS else (month, month_add(month, 1))


def is_partitioned(cursor, table: str) -> bool:
    """True on PostgreSQL once the migration made ``table`` a partitioned table."""
    if cursor.db.vendor != "postgresql":
        return False
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partition_months(cursor, table: str) -> list[int]:
    """The months that have a partition now (PostgreSQL), from the partitions' names."""
    cursor.execute("SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
                   "WHERE pg_inherits.inhparent = to_regclass(%s)", [table])
    return _months_named(table, [name for (name,) in cursor.fetchall()])


def partitions_ensure(cursor, table: str, months: list[int]) -> list[int]:
    """Make sure ``months`` have partitions (PostgreSQL, once the log is partitioned); the months created.
    One catalog query when they all exist, which is nearly always; creating takes a brief exclusive
    lock on the log, waited for at most 10 seconds."""
    if cursor.db.vendor != "postgresql":
        return []
    cursor.execute("SELECT parent.relkind = 'p', array(SELECT child.relname FROM pg_inherits JOIN pg_class child "
                   "ON child.oid = pg_inherits.inhrelid WHERE pg_inherits.inhparent = parent.oid) "
                   "FROM pg_class parent WHERE parent.oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    if not row or not row[0] or set(months) <= set(_months_named(table, row[1])):
        return []
    with transaction.atomic(using=cursor.db.alias):
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        return partitions_create(cursor, table, months)


def _months_named(table: str, names: list[str]) -> list[int]:
    months = []
    for name in names:
        suffix = name[len(table):]
        if suffix == "_timeless":
            months.append(TIMELESS)
        elif suffix.startswith("_p") and suffix[2:].isdigit():
            months.append(int(suffix[2:]))
    return sorted(months)


def partitions_create(cursor, table: str, months: list[int]) -> list[int]:
    """Create the partitions of ``months`` that are missing; the months created."""
    quote = cursor.db.ops.quote_name
    have = set(partition_months(cursor, table))
    created = []
    for month in sorted(set(months) - have):
        low, high = partition_bounds(month)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {quote(partition_name(table, month))} "
                       f"PARTITION OF {quote(table)} FOR VALUES FROM ({int(low)}) TO ({int(high)})")
        created.append(month)
    return created


def partitions_drop(cursor, table: str, *, before: int) -> list[int]:
    """Drop every monthly partition before month ``before`` (never the timeless one); the months dropped."""
    quote = cursor.db.ops.quote_name
    dropped = []
    for month in partition_months(cursor, table):
        if month != TIMELESS and month < before:
            cursor.execute(f"DROP TABLE {quote(partition_name(table, month))}")
            dropped.append(month)
    return dropped


def rows_expire(cursor, table: str, *, before: int) -> int:
    """The plain table's retention (SQLite): delete the rows of the months ``partitions_drop`` would drop."""
    quote = cursor.db.ops.quote_name
    cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote('period_month')} <> %s "  # noqa: S608
                   f"AND {quote('period_month')} < %s", [TIMELESS, before])
    return max(cursor.rowcount, 0)
