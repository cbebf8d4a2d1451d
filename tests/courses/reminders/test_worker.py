"""Reminders end to end: real Celery worker processes (PostgreSQL + Redis) sending to a real SMTP
server (aiosmtpd) on loopback. The sweep task itself runs on the workers, on a private queue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import NotificationPreference, ReminderLog
from courses.reminders.tasks import reminders_sweep
from tests.courses.certificates.conftest import WorkerProcess, postgres_only, wait_for
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import always_open, enroll, learner

pytestmark = [pytest.mark.integration, postgres_only, pytest.mark.django_db(transaction=True)]

WAIT = 90.0  # upper bounds for a slow shared machine, never timing assertions
Status = ReminderLog.Status


@pytest.fixture
def workers(private_queue, smtp_server, tmp_path, monkeypatch):
    """Start worker processes on demand, with mail to the loopback server; stopped at the end."""
    monkeypatch.setenv("EMAIL_URL", smtp_server.url)
    monkeypatch.setenv("SITE_URL", "https://lms.example.test")
    monkeypatch.setenv("REMINDER_RETRY_BACKOFF_SECONDS", "1")
    started: list[WorkerProcess] = []

    def start(count: int = 1) -> list[WorkerProcess]:
        new = [WorkerProcess(queue=private_queue, broker_url=django_settings.CELERY_BROKER_URL, var_dir=tmp_path,
                             media_root=tmp_path / "media", name=f"reminders{len(started) + n}")
               for n in range(count)]
        started.extend(new)
        for worker in new:
            wait_for(worker.ready, timeout=WAIT, what="a worker to start", diagnose=lambda w=worker: w.log()[-3000:])
        return new

    yield start
    for worker in started:
        worker.stop()


def settled() -> bool:
    return not ReminderLog.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists()


def sweep_on(queue: str) -> None:
    reminders_sweep.apply_async(queue=queue)


def test_a_sweep_sends_exactly_the_expected_messages_and_a_second_sends_none(org, workers, private_queue,
                                                                             smtp_server):
    always_open(org)
    now = timezone.now()
    course_en = build_course(title="Listening Well", activities=[{"title": "Listen"}])
    course_pt = build_course(title="Ouvir Bem", language="pt-BR", activities=[{"title": "Ouvir"}])
    idle = learner(org, first_name="Alex")
    starter = learner(org, first_name="Bruna", language="pt-BR")
    opted_out = learner(org)
    done = learner(org)
    enroll(idle, course_en, org, enrolled_days_ago=30, idle_days=9, now=now)
    starter_enrollment = enroll(starter, course_pt, org, enrolled_days_ago=4, now=now)
    enroll(opted_out, course_en, org, enrolled_days_ago=30, idle_days=9, now=now)
    enroll(done, course_en, org, enrolled_days_ago=30, idle_days=9, status=Enrollment.Status.COMPLETED, now=now)
    reminders.notification_preference_update(user=opted_out, kinds={"inactivity": False})

    [worker] = workers(1)
    sweep_on(private_queue)
    wait_for(lambda: len(smtp_server.handler.received()) >= 2 and settled(), timeout=WAIT,
             what="two reminders delivered", diagnose=lambda: worker.log()[-3000:])

    messages = {m["To"]: m for m in smtp_server.handler.received()}
    assert set(messages) == {idle.email, starter.email}
    assert messages[idle.email]["Subject"] == "Pick up where you left off: Listening Well"
    assert messages[starter.email]["Subject"] == 'Vamos começar "Ouvir Bem"?'
    pt_text = messages[starter.email].get_body(("plain",)).get_content()
    assert "Olá, Bruna!" in pt_text
    first_activity = starter_enrollment.course.activities.get()
    assert (f"https://lms.example.test/courses/{starter_enrollment.course.slug}/activities/{first_activity.pk}/"
            in pt_text)
    for message in messages.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert str(message["List-Unsubscribe"]).strip().startswith(
            "<https://lms.example.test/api/v1/notifications/unsubscribe/")
    assert ReminderLog.objects.get(recipient=opted_out).status == Status.SUPPRESSED
    assert not ReminderLog.objects.filter(recipient=done).exists()

    sweep_on(private_queue)
    wait_for(lambda: worker.succeeded("courses.long.reminders_sweep") == 2, timeout=WAIT,
             what="the second sweep", diagnose=lambda: worker.log()[-3000:])
    wait_for(settled, timeout=WAIT, what="nothing left to send")
    assert len(smtp_server.handler.received()) == 2
    assert ReminderLog.objects.filter(status=Status.SENT).count() == 2
    assert worker.failures() == []


def test_two_concurrent_sweeps_send_each_message_once(org, workers, private_queue, smtp_server, figure):
    always_open(org, daily_cap=10)
    now = timezone.now()
    courses = [build_course(title=f"Course {n}", activities=[{}]) for n in range(2)]
    people = [learner(org) for _ in range(30)]
    for n, person in enumerate(people):
        enroll(person, courses[n % 2], org, enrolled_days_ago=30, idle_days=9, due_in_days=-1, now=now)
    expected = 2 * len(people)  # inactivity and overdue for each

    first, second = workers(2)
    for _ in range(2):
        sweep_on(private_queue)
    wait_for(lambda: len(smtp_server.handler.received()) >= expected and settled(), timeout=WAIT,
             what=f"{expected} reminders", diagnose=lambda: first.log()[-2000:] + second.log()[-2000:])
    wait_for(lambda: first.succeeded("courses.long.reminders_sweep") + second.succeeded(
        "courses.long.reminders_sweep") == 2, timeout=WAIT, what="both sweeps to finish")
    wait_for(settled, timeout=WAIT, what="every send task")

    received = [(m["To"], m["X-LMS-Reminder"]) for m in smtp_server.handler.received()]
    figure("rows doubled", len(received) - len(set(received)))
    figure("exactly-once checks", len(set(received)))
    assert len(received) == expected
    assert len(set(received)) == expected  # no duplicates
    assert ReminderLog.objects.filter(status=Status.SENT).count() == expected
    assert first.succeeded("courses.reminders_send") + second.succeeded("courses.reminders_send") >= 2


def test_a_temporary_failure_is_retried_once_and_a_permanent_one_fails(org, workers, private_queue, smtp_server):
    always_open(org)
    now = timezone.now()
    course = build_course(title="Listening Well", activities=[{}])
    busy, gone = learner(org), learner(org)
    for person in (busy, gone):
        enroll(person, course, org, enrolled_days_ago=30, idle_days=9, now=now)
    smtp_server.handler.script[busy.email] = ["451 4.2.1 Mailbox busy, try again later"]
    smtp_server.handler.script[gone.email] = ["550 5.1.1 No such user"]

    [worker] = workers(1)
    sweep_on(private_queue)
    wait_for(lambda: ReminderLog.objects.filter(recipient=busy, status=Status.SENT).exists() and settled(),
             timeout=WAIT, what="the retried reminder", diagnose=lambda: worker.log()[-3000:])

    assert [m["To"] for m in smtp_server.handler.received()] == [busy.email]
    assert sorted(address for address, _ in smtp_server.handler.refusals) == sorted([busy.email, gone.email])
    delivered = ReminderLog.objects.get(recipient=busy)
    assert delivered.attempts == 2
    failed = ReminderLog.objects.get(recipient=gone)
    assert failed.status == Status.FAILED and failed.detail.startswith("550")
    assert NotificationPreference.objects.get(user=gone).paused_at is not None
    assert not NotificationPreference.objects.filter(user=busy, paused_at__isnull=False).exists()
    assert now < delivered.sent_at < timezone.now() + timedelta(seconds=1)
