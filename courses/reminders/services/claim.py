"""Claiming a reminder for sending, and recording it sent: the two writes of the send loop that at most
once rests on (see the package's docstring)."""
from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone
from psycopg.errors import error_from_result
from psycopg.generators import fetch_many, send
from psycopg.pq import ExecStatus

from courses.reminders.models import ReminderLog

Status = ReminderLog.Status


def reminder_claim(*, log_id: int, now: datetime.datetime, sent_id: int | None = None,
                   months: tuple[int, int | None] | None = None,
                   meanwhile: Callable[[], Any] | None = None) -> bool:
    """Move one pending, due row to sending; True when this caller won it. One conditional UPDATE: of
    two callers, the second finds the row no longer pending, so no two callers win the same row. A batch
    claims each row just before handing it to the mail server, so a worker killed mid-batch leaves at
    most the one message in flight in ``sending``; the rest stay pending and the next sweep sends them.

    ``sent_id``, the batch's previous message, which the mail server has just accepted, is recorded as
    sent by the same statement (one round trip and one commit per message instead of two). Until then
    it stays in ``sending``, which is what a killed worker leaves too: failed later, never resent.

    ``months``, (the row's ``period_month``, the previous one's), names the partitions the rows live in:
    PostgreSQL then updates one or two partitions instead of looking the ids up in every one.

    ``meanwhile`` runs while the claim is on its way (on PostgreSQL, while the server executes and
    commits it; elsewhere just before it), and must not use the database: it is the send loop building
    the message and handing the server its envelope, which is no message. This returns only once the
    claim is committed (or refused), so the message itself still goes only after its claim."""
    log_month, sent_month = months or (None, None)
    if sent_id is None:
        if meanwhile is not None:
            meanwhile()
        where = {} if log_month is None else {"period_month": log_month}
        return bool(ReminderLog.objects.filter(pk=log_id, status=Status.PENDING, not_before__lte=now, **where)
                    .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1))
    sql = _claim_and_record_sql(log_month, sent_month)
    adapt = connection.ops.adapt_datetimefield_value
    moment, sent_at = adapt(now), adapt(timezone.now())
    params: list[Any] = [sent_id, Status.SENT, Status.SENDING, sent_id, sent_at, sent_id, sent_id, moment,
                         sent_id, sent_id, log_id, Status.PENDING, moment]
    if meanwhile is not None and _can_overlap():
        return log_id in _overlapped(sql, params, meanwhile)
    if meanwhile is not None:
        meanwhile()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return any(row[0] == log_id for row in cursor.fetchall())


def _claim_and_record_sql(log_month: int | None, sent_month: int | None) -> str:
    quote = connection.ops.quote_name
    sent = f"{quote('id')} = %s"
    if log_month is not None and sent_month is not None:  # the values are ints: safe to write inline
        sent = f"({sent} AND {quote('period_month')} = {int(sent_month)})"
        mine = f"{quote('period_month')} = {int(log_month)} AND "
    else:
        mine = ""
    return (f"UPDATE {quote(ReminderLog._meta.db_table)} SET "  # noqa: S608 - identifiers from the model
            f"{quote('status')} = CASE WHEN {sent} THEN %s ELSE %s END, "
            f"{quote('sent_at')} = CASE WHEN {sent} THEN %s ELSE {quote('sent_at')} END, "
            f"{quote('detail')} = CASE WHEN {sent} THEN '' ELSE {quote('detail')} END, "
            f"{quote('claimed_at')} = CASE WHEN {sent} THEN {quote('claimed_at')} ELSE %s END, "
            f"{quote('attempts')} = CASE WHEN {sent} THEN {quote('attempts')} ELSE {quote('attempts')} + 1 END "
            f"WHERE {sent} OR ({mine}{quote('id')} = %s AND {quote('status')} = %s AND "
            f"{quote('not_before')} <= %s) RETURNING {quote('id')}")


def _can_overlap() -> bool:
    """PostgreSQL through psycopg 3, whose connection can send a statement and read its answer later."""
    connection.ensure_connection()
    return connection.vendor == "postgresql" and hasattr(connection.connection, "pgconn")


def _overlapped(sql: str, params: list, meanwhile: Callable[[], Any]) -> set[int]:
    """The ids ``sql`` returns, with ``meanwhile`` run between sending it and reading its answer.

    A commit waits for the write-ahead log to reach the disk: most of a claim's time. Sending the
    statement on the connection's own protocol lets this thread build the message and talk to the
    mail server meanwhile; the answer is read to the end (PostgreSQL's "ready": committed, or the
    error) before this returns, so the caller still hands the message over only after the commit."""
    raw = connection.connection
    first, *rest = sql.split("%s")  # the protocol numbers its parameters: $1, $2, ...
    query = first + "".join(f"${n}{part}" for n, part in enumerate(rest, start=1))
    started = time.monotonic()
    with connection.wrap_database_errors:  # a failure raises what Django's own cursor would raise
        raw.pgconn.send_query_params(query.encode(), [_text(value) for value in params])
        try:
            raw.wait(send(raw.pgconn))
            meanwhile()
        finally:
            results = raw.wait(fetch_many(raw.pgconn))
        _log_query(sql, params, time.monotonic() - started)
        ids: set[int] = set()
        for result in results:
            if result.status == ExecStatus.FATAL_ERROR:
                raise error_from_result(result)
            ids.update(int(result.get_value(row, 0)) for row in range(result.ntuples))
    return ids


def _text(value: Any) -> bytes:
    """A parameter in PostgreSQL's text form: the claim's are ints, statuses and aware datetimes."""
    return (value.isoformat() if isinstance(value, datetime.datetime) else str(value)).encode()


def _log_query(sql: str, params: list, seconds: float) -> None:
    """What Django's debug cursor records, so query counts (tests, the debug toolbar) still see the claim."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql % tuple(repr(value) for value in params),
                                       "time": f"{seconds:.3f}"})


def reminder_record_sent(*, log_id: int) -> None:
    """The mail server accepted the message: it is sent."""
    ReminderLog.objects.filter(pk=log_id).update(status=Status.SENT, sent_at=timezone.now(), detail="")
