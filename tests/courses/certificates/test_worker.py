"""Certificates through a real Celery worker (in-thread, solo pool) on the configured broker, and on
a redis-server of the test's own that is stopped to play a broker outage."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import OperationalError

from courses.certificates.models import Certificate, CertificateEvent
from courses.certificates.tasks import certificate_issue
from courses.enrollments import services
from courses.enrollments.models import Enrollment
from lms.celery import app as celery_app
from lms.reconciler import reconcile_all
from tests import factories as people
from tests.courses.certificates.conftest import (
    RedisServer,
    one_step_course,
    reset_broker_connections,
    wait_for,
)
from tests.courses.factories import activities_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WAIT = 60.0  # upper bounds for a slow machine, never timing assertions


class TaskRuns:
    """Task ids the in-thread worker finished, by task name (celery's task_postrun signal)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: dict[str, list[str]] = {}

    def __call__(self, sender=None, task_id=None, **kwargs) -> None:
        with self.lock:
            self.done.setdefault(sender.name, []).append(task_id)

    def finished(self, name: str) -> list[str]:
        with self.lock:
            return list(self.done.get(name, []))


@pytest.fixture
def task_runs() -> Iterator[TaskRuns]:
    runs = TaskRuns()
    task_postrun.connect(runs, weak=False)
    try:
        yield runs
    finally:
        task_postrun.disconnect(runs)


def worker(queue: str):
    return start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30.0)


def _enroll_via_api(client, course) -> int:
    response = client.post(f"/api/v1/courses/{course.slug}/enroll/")
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


def _complete_via_api(client, enrollment_id: int, course) -> dict:
    body = {}
    for activity in activities_of(course):
        response = client.post(f"/api/v1/enrollments/{enrollment_id}/activities/{activity.pk}/complete/")
        assert response.status_code == 200, response.content
        body = response.json()
    return body


def _rendered_and_emailed(enrollment_id: int, mailoutbox) -> bool:
    try:
        return (Certificate.objects.filter(enrollment_id=enrollment_id, rendered_at__isnull=False,
                                           emailed_at__isnull=False).exists()
                and len(mailoutbox) >= 1)
    except OperationalError as exc:
        # The embedded run shares one in-memory SQLite database with the worker thread, which may
        # hold the table right now; the next poll looks again.
        if "locked" not in str(exc):
            raise
        return False


def test_completing_a_course_issues_renders_and_emails_once(client_for, org, private_queue, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    course = one_step_course()
    learner = people.member(org)
    client = client_for(learner)
    enrollment_id = _enroll_via_api(client, course)
    with worker(private_queue):
        with django_capture_on_commit_callbacks(execute=True):
            body = _complete_via_api(client, enrollment_id, course)
        assert body["enrollment"]["status"] == "completed"
        wait_for(lambda: _rendered_and_emailed(enrollment_id, mailoutbox), timeout=WAIT,
                 what="the worker to issue, render and email the certificate")

    certificate = Certificate.objects.get(enrollment_id=enrollment_id)
    assert certificate.pdf and certificate.pdf.read().startswith(b"%PDF")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [learner.email]
    assert mailoutbox[0].extra_headers["X-LMS-Certificate"] == certificate.code
    kinds = list(certificate.events.values_list("kind", flat=True))
    assert kinds == [CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.RENDERED, CertificateEvent.Kind.EMAILED]


def test_a_task_delivered_five_times_issues_one_certificate(private_queue, mailoutbox, task_runs):
    course = one_step_course()
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
    # Completing also nudges the worker once (the completion hook runs on commit).
    services.activity_record_result(enrollment=enrollment, activity=activities_of(course)[0], passed=True)
    ids = [certificate_issue.apply_async(args=[enrollment.pk]).id for _ in range(5)]
    with worker(private_queue):
        wait_for(lambda: set(ids) <= set(task_runs.finished("courses.certificate_issue")), timeout=WAIT,
                 what="five deliveries of the issue task")
        wait_for(lambda: len(task_runs.finished("courses.certificate_email")) >= 6, timeout=WAIT,
                 what="the email nudges")

    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.rendered_at is not None
    assert certificate.events.filter(kind=CertificateEvent.Kind.ISSUED).count() == 1
    assert certificate.events.filter(kind=CertificateEvent.Kind.RENDERED).count() == 1
    assert certificate.events.filter(kind=CertificateEvent.Kind.EMAILED).count() == 1
    assert len(mailoutbox) == 1


# --- broker outage ---------------------------------------------------------------------------------

@pytest.fixture
def redis_broker(private_queue, tmp_path) -> Iterator[RedisServer]:
    """Point the celery app at a redis-server of this test's own; give the app its broker back after."""
    server = RedisServer(tmp_path)
    previous = celery_app.conf.broker_url
    server.start()
    celery_app.conf.broker_url = server.url
    reset_broker_connections()
    try:
        yield server
    finally:
        server.stop(hold_port=False)
        celery_app.conf.broker_url = previous
        reset_broker_connections()


@pytest.mark.slow
def test_broker_outage_at_completion_is_repaired_by_the_reconciler(client_for, org, redis_broker, private_queue,
                                                                   mailoutbox, settings, figure):
    settings.CELERY_BROKER_URL = redis_broker.url  # for anything that reads the setting, not the app
    course = one_step_course()
    learner = people.member(org)
    client = client_for(learner)
    enrollment_id = _enroll_via_api(client, course)

    redis_broker.stop()
    figure("faults injected", 1)
    body = _complete_via_api(client, enrollment_id, course)  # the hook fails to publish; the request does not
    assert body["enrollment"]["status"] == "completed"
    assert Enrollment.objects.get(pk=enrollment_id).status == Enrollment.Status.COMPLETED
    assert not Certificate.objects.exists()

    redis_broker.start()
    reset_broker_connections()
    # The reconciler runs while no worker does: in the embedded run the worker thread shares the in-memory
    # SQLite database, and a table it is writing is locked to every other connection at once (no waiting).
    # The task it enqueues waits in the broker for the worker.
    results = reconcile_all()
    assert results["certificates-missing"] == 1
    with worker(private_queue):
        wait_for(lambda: _rendered_and_emailed(enrollment_id, mailoutbox), timeout=WAIT,
                 what="the reconciled certificate")
    assert reconcile_all()["certificates-missing"] == 0

    figure("rows lost", 1 - min(Certificate.objects.filter(enrollment_id=enrollment_id).count(), 1))
    figure("exactly-once checks", 1)
    assert Certificate.objects.filter(enrollment_id=enrollment_id).count() == 1
    assert CertificateEvent.objects.filter(kind=CertificateEvent.Kind.ISSUED).count() == 1
    assert len(mailoutbox) == 1
