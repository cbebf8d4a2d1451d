"""Claiming a reminder for sending, and recording it sent: the two writes of the send loop that at most
once rests on (see the package's docstring)."""
from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from courses.reminders.models import ReminderLog

Status = ReminderLog.Status


def reminder_claim(*, log_id: int, now: datetime.datetime, sent_id: int | None = None,
                   months: tuple[int, int | None] | None = None) -> bool:
    """Move one pending, due row to sending; True when this caller won it. One conditional UPDATE: of
    two callers, the second finds the row no longer pending, so no two callers win the same row. A batch
    claims each row just before handing it to the mail server, so a worker killed mid-batch leaves at
    most the one message in flight in ``sending``; the rest stay pending and the next sweep sends them.

    ``sent_id``, the batch's previous message, which the mail server has just accepted, is recorded as
    sent by the same statement (one round trip and one commit per message instead of two). Until then
    it stays in ``sending``, which is what a killed worker leaves too: failed later, never resent.

    ``months``, (the row's ``period_month``, the previous one's), names the partitions the rows live in:
    PostgreSQL then updates one or two partitions instead of looking the ids up in every one."""
    log_month, sent_month = months or (None, None)
    if sent_id is None:
        where = {} if log_month is None else {"period_month": log_month}
        return bool(ReminderLog.objects.filter(pk=log_id, status=Status.PENDING, not_before__lte=now, **where)
                    .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1))
    quote = connection.ops.quote_name
    sent = f"{quote('id')} = %s"
    if log_month is not None and sent_month is not None:  # the values are ints: safe to write inline
        sent = f"({sent} AND {quote('period_month')} = {int(sent_month)})"
        mine = f"{quote('period_month')} = {int(log_month)} AND "
    else:
        mine = ""
    sql = (f"UPDATE {quote(ReminderLog._meta.db_table)} SET "  # noqa: S608 - identifiers from the model
           f"{quote('status')} = CASE WHEN {sent} THEN %s ELSE %s END, "
           f"{quote('sent_at')} = CASE WHEN {sent} THEN %s ELSE {quote('sent_at')} END, "
           f"{quote('detail')} = CASE WHEN {sent} THEN '' ELSE {quote('detail')} END, "
           f"{quote('claimed_at')} = CASE WHEN {sent} THEN {quote('claimed_at')} ELSE %s END, "
           f"{quote('attempts')} = CASE WHEN {sent} THEN {quote('attempts')} ELSE {quote('attempts')} + 1 END "
           f"WHERE {sent} OR ({mine}{quote('id')} = %s AND {quote('status')} = %s AND {quote('not_before')} <= %s) "
           f"RETURNING {quote('id')}")
    adapt = connection.ops.adapt_datetimefield_value
    moment, sent_at = adapt(now), adapt(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [sent_id, Status.SENT, Status.SENDING, sent_id, sent_at, sent_id, sent_id, moment,
                             sent_id, sent_id, log_id, Status.PENDING, moment])
        return any(row[0] == log_id for row in cursor.fetchall())


def reminder_record_sent(*, log_id: int) -> None:
    """The mail server accepted the message: it is sent."""
    ReminderLog.objects.filter(pk=log_id).update(status=Status.SENT, sent_at=timezone.now(), detail="")
