"""The sweep's write (on PostgreSQL through a temporary table found in parallel) and the send loop's
pipelining (the message built and its envelope handed over while its claim commits; DATA only after)."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import signing
from django.core.mail import get_connection

from courses.reminders import services as reminders
from courses.reminders.delivery import smtp_envelope
from courses.reminders.messages import reminder_email_build, reminder_messages_render
from courses.reminders.models import ReminderLog
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
Status = ReminderLog.Status


def test_a_re_sweep_skips_what_is_logged_and_logs_only_the_new_due_row(org, course):
    always_open(org)
    first, second = learner(org), learner(org)
    enroll(first, course, org, enrolled_days_ago=30, idle_days=9)
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 1}
    ReminderLog.objects.update(status=Status.SENT)  # what was logged stays as it is
    enroll(second, course, org, enrolled_days_ago=30, idle_days=8)
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 1}
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 0}
    rows = sorted(ReminderLog.objects.values_list("recipient_id", "status", "period", "period_month"))
    assert rows == sorted([(first.pk, Status.SENT, "2026-11-16", 202611),
                           (second.pk, Status.PENDING, "2026-11-17", 202611)])


def test_two_kinds_swept_in_one_transaction_each_log_their_own_rows(org, course):
    from django.db import transaction

    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=9, due_in_days=-1)
    with transaction.atomic():
        assert reminders.reminders_select(now=NOW, kinds=["inactivity", "overdue"]) == {"inactivity": 1, "overdue": 1}
        assert reminders.reminders_select(now=NOW, kinds=["inactivity", "overdue"]) == {"inactivity": 0, "overdue": 0}
    assert sorted(ReminderLog.objects.values_list("kind", flat=True)) == ["inactivity", "overdue"]


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_the_bytes_sent_are_what_djangos_backend_would_send(org, smtp_backend, language, monkeypatch):
    """The envelope path builds the very bytes Django's SMTP backend builds; they parse, and a header
    with a non-ASCII name is encoded."""
    # The unsubscribe link's token carries the second it was signed: both builds below sign in the same one.
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda signer: signing.b62_encode(1_800_000_000))
    always_open(org, from_email="Treinamento São Paulo <treino@acme.example>")
    course = build_course(title="Escuta atenta — módulo 1", language=language, activities=[{"title": "Ouvir"}])
    person = learner(org, language=language, first_name="Conceição")
    enroll(person, course, org, enrolled_days_ago=30, idle_days=9)
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    log = ReminderLog.objects.select_related("recipient", "organization__reminder_settings",
                                             "enrollment__course").get()
    message, lang = reminder_messages_render([log])[log.pk]
    backend = get_connection()
    backend.open()
    try:
        data = smtp_envelope(backend, reminder_email_build(log, message, lang, connection=backend))
        backend.connection.rset()
    finally:
        backend.close()
    expected = reminder_email_build(log, message, lang).message().as_bytes(linesep="\r\n")
    parsed, reference = (message_from_bytes(raw, policy=policy.default) for raw in (data, expected))
    moving = {"Date", "Message-ID", "Content-Type"}  # the date, a fresh id, a random MIME boundary
    assert [(k, str(v)) for k, v in parsed.items() if k not in moving] == \
        [(k, str(v)) for k, v in reference.items() if k not in moving]
    assert parsed.get_content_type() == reference.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert parsed.get_body((kind,)).get_content() == reference.get_body((kind,)).get_content()
    assert parsed["From"].addresses[0].display_name == "Treinamento São Paulo"
    assert b"=?utf-8?" in data.split(b"\r\n\r\n")[0]  # non-ASCII names travel encoded in the headers
    assert "Conceição" in parsed.get_body(("plain",)).get_content()


def test_a_lost_claim_hands_the_server_nothing_and_the_batch_goes_on(org, course, smtp_backend, monkeypatch):
    always_open(org)
    people = [learner(org) for _ in range(3)]
    for person in people:
        enroll(person, course, org, enrolled_days_ago=30, idle_days=9)
    reminders.reminders_select(now=NOW)
    ids = list(ReminderLog.objects.order_by("id").values_list("pk", flat=True))
    claim = reminders.reminder_claim

    def another_worker_wins_the_second(*, log_id, **kwargs):
        if log_id == ids[1]:
            ReminderLog.objects.filter(pk=log_id).update(status=Status.SENDING, attempts=1)
        return claim(log_id=log_id, **kwargs)

    monkeypatch.setattr(reminders, "reminder_claim", another_worker_wins_the_second)
    assert reminders.reminders_send(log_ids=ids, now=NOW + timedelta(seconds=1))["sent"] == 2
    received = sorted(m["To"] for m in smtp_backend.handler.received())
    assert received == sorted([people[0].email, people[2].email])  # the envelope of the lost one was reset
    assert len(smtp_backend.handler.sessions) == 1
    statuses = dict(ReminderLog.objects.values_list("pk", "status"))
    assert statuses == {ids[0]: Status.SENT, ids[1]: Status.SENDING, ids[2]: Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_loses_the_race_for_a_row_logs_the_others_and_that_row_once(org, course):
    """PostgreSQL inserts the found rows with a plain INSERT; a row another writer logged after the
    sweep's anti-join looked makes the unique index refuse it, and the same rows go in again with
    ON CONFLICT DO NOTHING. Here the other writer holds its row uncommitted until the sweep's INSERT
    waits on it in the unique index, then commits: the sweep still logs the other two, and nothing fails."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: no sweep can race another writer")
    from courses.reminders.services import log as reminder_log

    reminder_log.reminder_log_partitions_ensure(now=NOW)  # as the daily upkeep leaves them: no DDL in the sweep
    always_open(org)
    people_ = [learner(org) for _ in range(3)]
    first, *_ = [enroll(person, course, org, enrolled_days_ago=30, idle_days=9) for person in people_]
    holding, blocked = threading.Event(), []

    def racer():  # another writer: logs the first person's row, commits once the sweep's INSERT waits on it
        try:
            with transaction.atomic():
                ReminderLog.objects.create(recipient=people_[0], kind="inactivity", subject_id=first.pk,
                                           period="2026-11-16", organization=org, not_before=NOW, created_at=NOW)
                holding.set()
                with connection.cursor() as cursor:
                    for _ in range(200):
                        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
                        cursor.execute("SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                       "AND datname = current_database() AND pid <> pg_backend_pid()")
                        blocked.extend(row[0] for row in cursor.fetchall())
                        if blocked:
                            break
                        time.sleep(0.05)
        finally:
            connections.close_all()

    thread = threading.Thread(target=racer)
    thread.start()
    assert holding.wait(10)
    inserted = reminders.reminders_select(now=NOW, kinds=["inactivity"])
    thread.join(15)
    assert len(blocked) == 1 and blocked[0].startswith(f'INSERT INTO "{ReminderLog._meta.db_table}"'), blocked
    assert inserted == {"inactivity": 2}
    assert sorted(ReminderLog.objects.values_list("recipient_id", flat=True)) == sorted(p.pk for p in people_)
