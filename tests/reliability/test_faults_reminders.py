"""A reminder worker SIGKILLed mid-send, with a real SMTP server (aiosmtpd) holding one message in its
DATA phase when the kill comes: after a restart every other reminder of the batch is delivered exactly
once, and the one in flight is never sent twice (the design is at most once: nobody can know whether
it left; it is failed, not retried)."""
from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from lms.reconciler import reconcile_all
from tests.courses.certificates.conftest import (  # noqa: F401 (private_queue: a fixture, shared)
    drop_unacknowledged,
    free_port,
    private_queue,
    queue_length,
    wait_for,
)
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import RecordingHandler, always_open, enroll, learner
from tests.reliability.faults import CeleryProcess, needs_postgres_and_redis

pytestmark = [pytest.mark.integration, needs_postgres_and_redis, pytest.mark.django_db(transaction=True)]

WAIT = 60.0  # upper bounds for a slow machine, never timing assertions
Status = ReminderLog.Status
PEOPLE = 8
HELD = 4  # the message in flight when the worker dies


class HoldingHandler(RecordingHandler):
    """Accepts messages, except the ``hold_at``-th, which it holds in DATA until released; a message whose
    client is gone by then is never accepted (no 250 was sent, so no mail server would deliver it)."""

    def __init__(self, hold_at: int) -> None:
        super().__init__()
        self.hold_at, self.data_calls = hold_at, 0
        self.holding, self.release = threading.Event(), threading.Event()
        self.gone = threading.Event()  # the server has seen the held message's client disconnect
        self.dropped: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_calls += 1
            number = self.data_calls
        if number == self.hold_at:
            self.holding.set()
            try:
                for _ in range(600):  # at most 30 s
                    if self.release.is_set() or server.transport is None or server.transport.is_closing():
                        break
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:  # aiosmtpd stops the handler when the client's connection drops
                self._drop(envelope)
                raise
            if server.transport is None or server.transport.is_closing():
                self._drop(envelope)
                return "451 4.4.2 Connection lost before the message was accepted"
        return await super().handle_DATA(server, session, envelope)

    def _drop(self, envelope) -> None:
        with self.lock:
            self.dropped.extend(envelope.rcpt_tos)
        self.gone.set()


@pytest.fixture
def holding_smtp():
    handler = HoldingHandler(hold_at=HELD)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        handler.release.set()
        controller.stop()


def test_a_worker_killed_mid_send_leaves_the_rest_of_its_batch_to_be_sent_exactly_once(
        org, private_queue, holding_smtp, tmp_path, figure):  # noqa: F811
    handler, smtp_url = holding_smtp
    always_open(org, daily_cap=10)
    now = timezone.now()
    course = build_course(title="Listening Well", activities=[{"title": "Listen"}])
    people = [learner(org) for _ in range(PEOPLE)]
    for person in people:
        enroll(person, course, org, enrolled_days_ago=30, idle_days=9, now=now)
    env = {"EMAIL_URL": smtp_url, "SITE_URL": "https://lms.example.test", "REMINDER_RETRY_BACKOFF_SECONDS": "1"}
    started: list[CeleryProcess] = []

    def worker(name: str) -> CeleryProcess:
        process = CeleryProcess("worker", queue=private_queue, workdir=tmp_path, name=name, env=env)
        started.append(process)
        process.wait_ready(timeout=WAIT)
        return process

    try:
        reminders.reminders_sweep()  # what beat does: log one row per reminder, enqueue one batch of eight
        assert ReminderLog.objects.filter(status=Status.PENDING).count() == PEOPLE
        victim = worker("worker-victim")
        wait_for(handler.holding.is_set, timeout=WAIT, what=f"message {HELD} to reach the SMTP server",
                 diagnose=lambda: victim.log()[-3000:])
        victim.kill()
        figure("faults injected", 1)
        handler.release.set()
        at_kill = Counter(ReminderLog.objects.values_list("status", flat=True))
        assert at_kill == Counter({Status.SENT: HELD - 1, Status.SENDING: 1, Status.PENDING: PEOPLE - HELD}), at_kill
        in_flight = ReminderLog.objects.get(status=Status.SENDING)

        survivor = worker("worker-survivor")
        assert reconcile_all()["reminders"] == PEOPLE - HELD  # the pending rest of the dead worker's batch
        wait_for(lambda: ReminderLog.objects.filter(status=Status.SENT).count() == PEOPLE - 1, timeout=WAIT,
                 what="the rest of the batch", diagnose=lambda: survivor.log()[-3000:])
        # An hour on, the row left in flight is failed, not sent again; later runs find nothing.
        ReminderLog.objects.filter(pk=in_flight.pk).update(claimed_at=timezone.now() - timedelta(hours=2))
        assert reconcile_all()["reminders"] == 0
        assert reconcile_all()["reminders"] == 0
        wait_for(lambda: queue_length(private_queue) == 0, timeout=WAIT, what="the queue to drain")
        assert survivor.failures() == []
    finally:
        for process in started:
            process.stop()
        drop_unacknowledged(private_queue)

    received = Counter(message["X-LMS-Reminder"] for message in handler.received())
    sent = set(ReminderLog.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    expected = {f"inactivity:{pk}" for pk in sent}
    in_flight.refresh_from_db()
    figure("rows lost", len(expected - set(received)))
    figure("rows doubled", sum(count - 1 for count in received.values()))
    figure("exactly-once checks", len(received))
    figure("messages lost in flight (at most once by design)", PEOPLE - len(received))
    assert received == Counter(dict.fromkeys(expected, 1))  # each delivered reminder exactly once
    assert len(sent) == PEOPLE - 1
    assert in_flight.status == Status.FAILED and in_flight.detail.startswith("interrupted while sending")
    assert handler.dropped == [in_flight.recipient.email]  # the held message was never accepted
