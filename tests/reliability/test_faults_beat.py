"""Beat running twice: two ``celery beat`` processes (django-celery-beat's database scheduler) against the
same database and broker, each sending the reconciler and the reminder sweep every second, and two
worker processes taking what both send. Pending work is in the database only (its nudges are purged):
certificates to issue and email, webhooks to deliver, an export to produce, reminders to send. Each is
done exactly once: mail counted at an aiosmtpd server, webhooks at a local HTTP receiver."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments import services
from courses.hr_reports.models import ReportExport, WebhookDelivery
from courses.hr_reports.queries import Filters
from courses.hr_reports.services import exports as report_services
from courses.hr_reports.services import webhooks as webhook_services
from courses.reminders.models import ReminderLog
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.certificates.conftest import (  # noqa: F401 (private_queue: a fixture, shared)
    delete_queue,
    private_queue,
    queue_length,
    wait_for,
)
from tests.courses.factories import activities_of, build_course
from tests.courses.hr_reports.receiver import receiver
from tests.courses.hr_reports.test_webhooks import SECRET, check_signature
from tests.courses.reminders.conftest import always_open, enroll, learner, smtp_server  # noqa: F401 (fixture)
from tests.reliability.faults import CeleryProcess, needs_postgres_and_redis

pytestmark = [pytest.mark.integration, needs_postgres_and_redis, pytest.mark.django_db(transaction=True)]

WAIT = 60.0  # upper bounds for a slow machine, never timing assertions
COMPLETED, IDLE = 3, 4
TICKS_AFTER_DONE = 3  # reconciler runs each beat sends after the work is done: none may send anything again


def _pending_work(org, hook_url: str, queue: str) -> ReportExport:
    webhook_services.webhook_endpoint_create(organization=org, url=hook_url, secret=SECRET,
                                             event_types=["enrollment.completed", "certificate.issued"])
    course = build_course(activities=[{"title": "Listen"}])
    for _ in range(COMPLETED):
        enrollment, _ = services.enrollment_create(user=people.member(org), course=course, organization=org)
        services.activity_record_result(enrollment=enrollment, activity=activities_of(course)[0], passed=True)
    now = timezone.now()
    idle_course = build_course(title="Listening Well", activities=[{"title": "Listen"}])
    for _ in range(IDLE):
        enroll(learner(org), idle_course, org, enrolled_days_ago=30, idle_days=9, now=now)
    export, _ = report_services.report_export_request(actor=people.member(org, "hr"), organization=org,
                                                      export_format="csv", filters=Filters())
    ReportExport.objects.filter(pk=export.pk).update(created_at=now - timedelta(minutes=5))
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    # The sweep's entry (a migration makes it, for the long queue) on the test's queue, every second.
    PeriodicTask.objects.update_or_create(name="reminders-sweep", defaults={
        "task": "courses.long.reminders_sweep", "interval": every_second, "crontab": None, "enabled": True,
        "queue": queue})
    return export


def _state() -> str:
    return (f"certificates {list(Certificate.objects.values_list('rendered_at', 'emailed_at'))}\n"
            f"exports {list(ReportExport.objects.values_list('status', 'runs'))}\n"
            f"webhooks {list(WebhookDelivery.objects.values_list('event_type', 'status', 'attempts'))}\n"
            f"reminders {list(ReminderLog.objects.values_list('kind', 'status', 'detail'))}\n")


def test_two_beats_and_two_workers_do_every_piece_of_work_once(org, private_queue, smtp_server, tmp_path,  # noqa: F811
                                                               settings, figure):
    always_open(org, daily_cap=10)
    env = {"EMAIL_URL": smtp_server.url, "SITE_URL": "https://lms.example.test", "RECONCILE_EVERY_SECONDS": "1",
           "REPORTS_SYNC_LAG_SECONDS": "0"}
    started: list[CeleryProcess] = []
    routes = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={})  # this process's nudges (the export's) go to the private queue too
    with receiver() as hook:
        env["WEBHOOKS_TEST_TARGETS"] = hook.target  # the worker processes may reach this receiver only
        export = _pending_work(org, hook.url, private_queue)
        delete_queue(private_queue)  # the completions' nudges are gone: only the beats can find the work
        assert not Certificate.objects.exists()
        try:
            for kind, name in (("worker", "worker-a"), ("worker", "worker-b"), ("beat", "beat-a"), ("beat", "beat-b")):
                started.append(CeleryProcess(kind, queue=private_queue, workdir=tmp_path, name=name, env=env))
            for process in started:
                process.wait_ready(timeout=WAIT)
            workers, beats = started[:2], started[2:]

            def done() -> bool:
                return (Certificate.objects.filter(emailed_at__isnull=False).count() == COMPLETED
                        and ReportExport.objects.filter(pk=export.pk, status="done").exists()
                        and WebhookDelivery.objects.filter(status="succeeded").count() == 2 * COMPLETED
                        and ReminderLog.objects.filter(status=ReminderLog.Status.SENT).count() == IDLE)

            wait_for(done, timeout=WAIT, interval=0.5, what="every piece of pending work", diagnose=lambda: _state()
                     + "\n".join(line for p in started for line in p.log().splitlines()
                                 if "succeeded" in line and "lms.reconcile" not in line)[-4000:])
            ticks = [beat.sent("reconcile") for beat in beats]
            wait_for(lambda: all(beat.sent("reconcile") >= tick + TICKS_AFTER_DONE for beat, tick in zip(
                beats, ticks, strict=True)), timeout=WAIT, what="more reconciler runs from both beats")
            for beat in beats:
                beat.stop()
            wait_for(lambda: queue_length(private_queue) == 0, timeout=WAIT, what="the workers to drain the queue")
            for worker in workers:
                worker.stop()  # warm: the task in hand finishes
            sent = {beat.name: (beat.sent("reconcile"), beat.sent("reminders-sweep")) for beat in beats}
            failures = [line for process in started for line in process.failures()]
        finally:
            for process in started:
                process.stop()
            celery_app.conf.update(task_routes=routes)
        requests = hook.received()

    certificates = Certificate.objects.all()
    issued = Counter(CertificateEvent.objects.filter(kind=CertificateEvent.Kind.ISSUED)
                     .values_list("certificate_id", flat=True))
    messages = smtp_server.handler.received()
    certificate_mail = Counter(m["X-LMS-Certificate"] for m in messages if m["X-LMS-Certificate"])
    reminder_mail = Counter(m["X-LMS-Reminder"] for m in messages if m["X-LMS-Reminder"])
    delivered = Counter(check_signature(request)["id"] for request in requests)
    export.refresh_from_db()
    all_counts = [*issued.values(), *certificate_mail.values(), *reminder_mail.values(), *delivered.values()]
    figure("faults injected", 1)  # a second beat
    figure("periodic runs sent by the two beats", sum(a + b for a, b in sent.values()))
    figure("rows doubled", sum(count - 1 for count in all_counts) + (export.runs - 1))
    figure("rows lost", (COMPLETED - len(certificate_mail)) + (IDLE - len(reminder_mail))
           + (2 * COMPLETED - len(delivered)))
    figure("exactly-once checks", len(all_counts) + 1)
    assert all(reconciles >= 2 and sweeps >= 1 for reconciles, sweeps in sent.values()), sent  # both beats ran
    assert failures == []
    assert certificates.count() == COMPLETED and sorted(issued.values()) == [1] * COMPLETED
    assert certificate_mail == Counter(dict.fromkeys(certificates.values_list("code", flat=True), 1))
    assert reminder_mail == Counter({f"inactivity:{pk}": 1 for pk in ReminderLog.objects.filter(
        status=ReminderLog.Status.SENT).values_list("pk", flat=True)})
    assert len(reminder_mail) == IDLE and len(messages) == COMPLETED + IDLE
    assert sorted(delivered.values()) == [1] * (2 * COMPLETED)
    assert WebhookDelivery.objects.count() == 2 * COMPLETED
    assert (export.status, export.runs, export.rows_done) == ("done", 1, export.rows_total)
