"""A worker process SIGKILLed while a delivery is in flight: the delivery row survives and the reconciler
has it sent by the next worker. PostgreSQL + Redis only (worker processes open the test database)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from courses.hr_reports.models import WebhookDelivery
from courses.hr_reports.services import webhooks as webhook_services
from lms.celery import app as celery_app
from lms.models import Organization
from lms.reconciler import reconcile_all
from tests.courses.certificates.conftest import (  # noqa: F401
    WorkerProcess,
    drop_unacknowledged,
    private_queue,
    queue_length,
    wait_for,
)
from tests.courses.factories import build_course
from tests.courses.hr_reports.conftest import add_member, complete, enroll
from tests.courses.hr_reports.receiver import receiver
from tests.courses.hr_reports.test_webhooks import SECRET, check_signature

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
                       reason="worker processes need PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_no_delivery_is_lost_when_the_worker_is_killed_mid_delivery(private_queue, tmp_path, monkeypatch,  # noqa: F811
                                                                    django_capture_on_commit_callbacks, figure):
    monkeypatch.setenv("REPORTS_WEBHOOK_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)  # the secret is encrypted with a key derived from it
    var_dir = tmp_path / "worker-var"
    var_dir.mkdir()
    org = Organization.objects.create(slug="kill-org", name="Kill")
    course = build_course(slug="kill-course", activities=[{"title": "Read"}])
    enrollment = enroll(add_member(org, employee_id="K-1").user, course, org)
    started: list[WorkerProcess] = []

    def worker(name: str) -> WorkerProcess:
        process = WorkerProcess(queue=private_queue, broker_url=celery_app.conf.broker_url, var_dir=var_dir,
                                media_root=settings.MEDIA_ROOT, name=name)
        started.append(process)
        wait_for(process.ready, timeout=120, what=f"worker {name}")
        return process

    try:
        with receiver(script=["hang", 200]) as hook:
            monkeypatch.setenv("WEBHOOKS_TEST_TARGETS", hook.target)  # for the worker processes
            webhook_services.webhook_endpoint_create(organization=org, url=hook.url, secret=SECRET,
                                                     event_types=["enrollment.completed"])
            with django_capture_on_commit_callbacks(execute=True):
                complete(enrollment)  # the delivery row is written, and the task queued after commit
            delivery = WebhookDelivery.objects.get()
            victim = worker("hook-victim")
            wait_for(lambda: len(hook.received()) == 1, timeout=120, what="the first attempt to reach the receiver",
                     diagnose=lambda: victim.log()[-4000:])
            figure("faults injected", 1)
            victim.kill()  # mid-delivery: the receiver holds the request, no answer was read
            delivery.refresh_from_db()
            assert (delivery.status, delivery.attempts, delivery.log) == ("pending", 1, [])
            # The claim already moved next_attempt_at a second ahead: once due, the reconciler re-enqueues it.
            wait_for(lambda: reconcile_all()["webhooks-due"] >= 1, timeout=30, interval=0.5,
                     what="the reconciler to find the interrupted delivery")
            survivor = worker("hook-survivor")
            wait_for(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="succeeded").exists(),
                     timeout=120, interval=0.5, what="the survivor to deliver",
                     diagnose=lambda: survivor.log()[-3000:])
            requests = hook.received()
    finally:
        for process in started:
            process.stop(timeout=30)
        drop_unacknowledged(private_queue)
    delivery.refresh_from_db()
    figure("rows lost", 0 if delivery.status == "succeeded" else 1)
    figure("exactly-once checks", 1)
    assert delivery.attempts == 2 and [entry["status_code"] for entry in delivery.log] == [200]
    assert len(requests) >= 2
    assert {check_signature(r)["id"] for r in requests} == {delivery.pk}  # the same delivery, signed each time
    assert WebhookDelivery.objects.count() == 1
