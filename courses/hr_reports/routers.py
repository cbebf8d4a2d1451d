"""The optional read replica for HR reports (REPORTS_DATABASE_URL).

Report querysets pin themselves to ``courses.hr_reports.queries.reports_database()`` (the ``reports`` alias
when configured), because a streamed report is evaluated after the view returns. The router keeps
everything else off the replica: it is never migrated, and rows read from it may be related to rows
of the primary.

``replayed_through()`` tells the sync's lag guard (``queries.settled_before()``) how far a standby has
replayed, so the guard follows the real replication lag instead of assuming one.
"""
from __future__ import annotations

from datetime import UTC, datetime

from django.db import connections

REPLICA = "reports"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ReportsReplicaRouter:
    def db_for_read(self, model, **hints):
        return None  # the default database, unless a report queryset chose the replica itself

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


# The standby's replay position, read in one statement so the three values agree: whether the connection
# is a standby at all, whether it has replayed all the WAL it received (caught up), and the primary's commit
# time of the last transaction it replayed.
REPLAY_STATE_SQL = (
    "SELECT pg_is_in_recovery(), "
    "pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), "
    "pg_last_xact_replay_timestamp(), now()"
)


def replayed_through(alias: str) -> datetime | None:
    """The moment up to which ``alias`` holds every transaction the primary committed, or None when it is not
    a standby (a primary, or SQLite: it holds everything committed up to now).

    A standby replays commits in the order the primary wrote them, so once it has replayed a commit stamped
    T (``pg_last_xact_replay_timestamp()``) it holds every transaction committed before T. On an idle
    primary that stamp stays old while the standby holds everything: when it has replayed all the WAL it
    received (receive LSN = replay LSN) it is caught up and answers as of its own clock. A standby that has
    received nothing yet, or has replayed no transaction since it started while WAL waits, holds back
    everything (the epoch)."""
    connection = connections[alias]
    if alias != REPLICA or connection.vendor != "postgresql":  # the default database takes writes: a primary
        return None
    with connection.cursor() as cursor:
        cursor.execute(REPLAY_STATE_SQL)
        in_recovery, caught_up, replayed_at, now = cursor.fetchone()
    if not in_recovery:
        return None
    if caught_up:
        return now
    return replayed_at or EPOCH
