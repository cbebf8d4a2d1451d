"""Redis stopped while learners complete lessons, finish a course and HR asks for an export: the broker
and the cache (throttle counters) both live on a redis-server of the test's own, which is killed. Every
write still answers 2xx; when Redis is back, the reconciler and a real Celery worker finish the work,
each piece exactly once."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportExport, WebhookDelivery
from courses.hr_reports.services import webhooks as webhook_services
from lms.celery import app as celery_app
from lms.reconciler import reconcile_all
from tests import factories as people
from tests.courses.certificates.conftest import (  # noqa: F401 (private_queue: a fixture, shared)
    RedisServer,
    private_queue,
    queue_length,
    reset_broker_connections,
    wait_for,
)
from tests.courses.factories import activities_of, build_course
from tests.courses.hr_reports.receiver import receiver
from tests.courses.hr_reports.test_webhooks import SECRET, check_signature
from tests.reliability.faults import needs_postgres_and_redis

pytestmark = [pytest.mark.integration, needs_postgres_and_redis, pytest.mark.django_db(transaction=True)]

WAIT = 60.0  # upper bounds for a slow machine, never timing assertions
LEARNERS = 4


@pytest.fixture
def own_redis(private_queue, tmp_path, settings):  # noqa: F811
    """Broker and cache on a redis-server of this test's own; everything routed to the private queue.
    The app gets its broker, routes and cache back afterwards."""
    server = RedisServer(tmp_path)
    server.start()
    previous_broker, previous_routes = celery_app.conf.broker_url, celery_app.conf.task_routes
    celery_app.conf.broker_url = server.url
    celery_app.conf.update(task_routes={})  # exports (the long queue in production) go to the private queue
    reset_broker_connections()
    settings.CELERY_BROKER_URL = server.url
    working_caches = settings.CACHES
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{server.port}/1",
        "KEY_PREFIX": "faults", "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORTS_WORK_DIR = str(tmp_path / "exports-work")
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    try:
        yield server
    finally:
        settings.CACHES = working_caches  # before the shared teardown clears the cache
        server.stop(hold_port=False)
        celery_app.conf.broker_url = previous_broker
        celery_app.conf.update(task_routes=previous_routes)
        reset_broker_connections()


def test_redis_outage_during_requests_loses_nothing_and_the_work_completes_once(own_redis, private_queue, org,  # noqa: F811
                                                                                client_for, mailoutbox, figure):
    course = build_course(activities=[{"title": "Listen"}, {"title": "Reflect"}])
    [first, last] = activities_of(course)
    learners = [people.member(org) for _ in range(LEARNERS)]
    hr = people.member(org, "hr")
    clients = [client_for(learner) for learner in learners]
    enrollment_ids = []
    with receiver() as hook:
        webhook_services.webhook_endpoint_create(organization=org, url=hook.url, secret=SECRET,
                                                 event_types=["enrollment.completed", "certificate.issued"])
        for client in clients:
            response = client.post(f"/api/v1/courses/{course.slug}/enroll/")
            assert response.status_code in (200, 201), response.content
            enrollment_ids.append(response.json()["id"])
        cache_keys = redis.Redis(port=own_redis.port, db=1).dbsize()
        assert cache_keys > 0, "the throttles did not count in the test's Redis"

        own_redis.stop()
        figure("faults injected", 1)
        answers = []
        for client, enrollment_id in zip(clients, enrollment_ids, strict=True):
            for activity in (first, last):  # a lesson, then the last one: the course is finished
                answers.append(client.post(f"/api/v1/enrollments/{enrollment_id}/activities/{activity.pk}/complete/"))
            answers.append(client.get(f"/api/v1/enrollments/{enrollment_id}/"))
        export_answer = client_for(hr).post("/api/v1/reports/exports/", {"format": "csv"}, format="json")
        answers.append(export_answer)
        statuses = Counter(answer.status_code for answer in answers)
        figure("requests during the Redis outage", len(answers))
        figure("5xx during the Redis outage", sum(n for code, n in statuses.items() if code >= 500))
        assert all(200 <= answer.status_code < 300 for answer in answers), (
            statuses, [a.content[:300] for a in answers if a.status_code >= 300])

        # Saved, though no worker was told: the database is the truth.
        completed = Enrollment.objects.filter(pk__in=enrollment_ids, status=Enrollment.Status.COMPLETED)
        assert completed.count() == LEARNERS
        assert not Certificate.objects.exists()
        export = ReportExport.objects.get(pk=export_answer.json()["id"])
        assert export.status == ReportExport.Status.PENDING
        assert WebhookDelivery.objects.filter(event_type="enrollment.completed", status="pending").count() == LEARNERS

        own_redis.start()  # the same port, empty: whatever was queued before the outage is gone too
        reset_broker_connections()
        # A pending export is left to its own nudge for a minute before the reconciler steps in.
        ReportExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        # The reconciler counts before a worker starts: a worker already consuming could issue a certificate
        # from a task an earlier reconciler enqueued before the certificate reconciler looked.
        found = reconcile_all()
        assert (found["certificates-missing"], found["report-exports-unfinished"]) == (LEARNERS, 1), found
        assert found["webhooks-due"] == LEARNERS, found  # the completions' deliveries; no certificate yet
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[private_queue],
                          shutdown_timeout=30.0):

            def all_done() -> bool:
                certificates = Certificate.objects.filter(enrollment_id__in=enrollment_ids, emailed_at__isnull=False)
                return (certificates.count() == LEARNERS and len(mailoutbox) >= LEARNERS
                        and ReportExport.objects.filter(pk=export.pk, status="done").exists()
                        and WebhookDelivery.objects.filter(status="succeeded").count() == 2 * LEARNERS)

            wait_for(all_done, timeout=WAIT, interval=0.3, what="certificates, export and webhooks after the outage")
            again = reconcile_all()  # nothing left to find: a second pass sends nothing twice
            wait_for(lambda: queue_length(private_queue) == 0, timeout=WAIT, what="the queue to drain")
        requests = hook.received()

    certificates = Certificate.objects.filter(enrollment_id__in=enrollment_ids)
    issued = Counter(CertificateEvent.objects.filter(kind=CertificateEvent.Kind.ISSUED)
                     .values_list("certificate_id", flat=True))
    mailed = Counter(message.extra_headers["X-LMS-Certificate"] for message in mailoutbox)
    delivered = Counter(check_signature(request)["id"] for request in requests)
    export.refresh_from_db()
    figure("rows lost", (LEARNERS - certificates.count()) + (LEARNERS - export.rows_done))
    figure("exactly-once checks", len(issued) + len(mailed) + len(delivered) + 1)
    assert {key: again[key] for key in ("certificates-missing", "report-exports-unfinished", "webhooks-due")} == {
        "certificates-missing": 0, "report-exports-unfinished": 0, "webhooks-due": 0}
    assert certificates.count() == LEARNERS and sorted(issued.values()) == [1] * LEARNERS
    assert mailed == Counter({code: 1 for code in certificates.values_list("code", flat=True)})
    assert (export.status, export.rows_done, export.rows_total, export.runs) == ("done", LEARNERS, LEARNERS, 1)
    assert sorted(delivered.values()) == [1] * (2 * LEARNERS)
    assert WebhookDelivery.objects.filter(status="succeeded", attempts=1).count() == 2 * LEARNERS
