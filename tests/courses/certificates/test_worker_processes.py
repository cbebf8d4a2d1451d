"""Certificates under real worker processes on PostgreSQL + Redis: two workers racing on the same
enrollments, and a worker SIGKILLed mid-batch. Skipped on the embedded configuration (another
process cannot open the in-memory SQLite test database)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from courses.certificates import reconcilers
from courses.certificates.models import Certificate, CertificateEvent
from courses.certificates.tasks import certificate_issue
from courses.enrollments.models import Enrollment
from lms.celery import app as celery_app
from lms.reconciler import reconcile_all
from tests import factories as people
from tests.courses.certificates.conftest import (
    WorkerProcess,
    complete,
    delete_queue,
    drop_unacknowledged,
    one_step_course,
    queue_length,
    wait_for,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
                       reason="worker processes need PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 120.0  # upper bounds for a slow machine, never timing assertions
ISSUE, EMAIL = "courses.certificate_issue", "courses.certificate_email"


@pytest.fixture
def var_dir(tmp_path) -> Path:
    path = tmp_path / "worker-var"
    path.mkdir()
    return path


@pytest.fixture
def workers(var_dir):
    """Start worker processes with ``start(queue, name)``; every one is stopped (or killed) afterwards."""
    started: list[WorkerProcess] = []

    def start(queue: str, name: str) -> WorkerProcess:
        process = WorkerProcess(queue=queue, broker_url=celery_app.conf.broker_url, var_dir=var_dir,
                                media_root=settings.MEDIA_ROOT, name=name)
        started.append(process)
        wait_for(process.ready, timeout=WAIT, what=f"worker {name} to be ready")
        return process

    yield start
    for process in started:
        process.stop(timeout=30)


def _diagnose(*processes: WorkerProcess) -> str:
    return "\n".join(f"{p.log_path.name}: {p.succeeded(ISSUE)} issue, {p.succeeded(EMAIL)} email runs\n"
                     f"{p.log()[-3000:]}" for p in processes)


def _completed_enrollments(count: int) -> list[Enrollment]:
    from courses.enrollments import services

    course = one_step_course()
    enrollments = []
    for _ in range(count):
        enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
        enrollments.append(complete(enrollment))  # the completion hook nudges the private queue once each
    return enrollments


def _mailed_codes(var_dir: Path) -> Counter:
    """Certificate codes of the messages the workers' file email backend wrote."""
    codes: Counter = Counter()
    for path in (var_dir / "mail").glob("*"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-LMS-Certificate: "):
                codes[line.split(": ", 1)[1].strip()] += 1
    return codes


def test_two_worker_processes_racing_on_the_same_enrollments_issue_each_once(private_queue, workers, var_dir):
    second_queue = f"{private_queue}-b"
    deliveries = 4
    try:
        enrollments = _completed_enrollments(20)
        ids = [enrollment.pk for enrollment in enrollments]
        for _ in range(deliveries):
            for enrollment_id in ids:  # the same enrollment lands on both workers at about the same time
                certificate_issue.apply_async(args=[enrollment_id], queue=private_queue)
                certificate_issue.apply_async(args=[enrollment_id], queue=second_queue)
        first = workers(private_queue, "cert-a")
        second = workers(second_queue, "cert-b")
        expected = len(ids) * (2 * deliveries + 1)  # plus the completion hook's nudge on the first queue

        def all_done() -> bool:
            return (first.succeeded(ISSUE) + second.succeeded(ISSUE) == expected
                    and first.succeeded(EMAIL) + second.succeeded(EMAIL) == expected)

        wait_for(all_done, timeout=WAIT, interval=0.5, what=f"{expected} issue and email runs",
                 diagnose=lambda: _diagnose(first, second))
        assert first.succeeded(ISSUE) > len(ids) and second.succeeded(ISSUE) >= len(ids) * deliveries
        assert first.failures() == [] and second.failures() == []
    finally:
        delete_queue(second_queue)

    certificates = Certificate.objects.filter(enrollment_id__in=ids)
    assert certificates.count() == 20
    assert certificates.values("enrollment_id").distinct().count() == 20
    assert not certificates.filter(rendered_at__isnull=True).exists()
    assert not certificates.filter(emailed_at__isnull=True).exists()
    for kind in (CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.RENDERED, CertificateEvent.Kind.EMAILED):
        per_certificate = Counter(CertificateEvent.objects.filter(kind=kind).values_list("certificate_id", flat=True))
        assert sorted(per_certificate.values()) == [1] * 20, kind
    mailed = _mailed_codes(var_dir)
    assert mailed == Counter({code: 1 for code in certificates.values_list("code", flat=True)})


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(private_queue, workers, var_dir, monkeypatch, figure):
    enrollments = _completed_enrollments(50)  # fifty issue nudges wait in the queue
    ids = [enrollment.pk for enrollment in enrollments]
    try:
        victim = workers(private_queue, "cert-victim")

        def mid_batch() -> bool:
            unrendered = Certificate.objects.filter(rendered_at__isnull=True).exists()
            return unrendered or Certificate.objects.count() >= 10

        wait_for(mid_batch, timeout=WAIT, interval=0.005, what="the worker to be part-way through the batch")
        victim.kill()
        figure("faults injected", 1)
        issued_before = Certificate.objects.count()
        assert issued_before < 50, "the worker finished before it could be killed; nothing was tested"

        survivor = workers(private_queue, "cert-survivor")
        wait_for(lambda: queue_length(private_queue) == 0 and survivor.succeeded(ISSUE) >= 50 - issued_before - 1,
                 timeout=WAIT, interval=0.5, what="the survivor to drain the queue")

        # The grace that keeps the reconciler off fresh certificates has passed.
        monkeypatch.setattr(reconcilers, "RENDER_GRACE", timedelta(0))
        reconcile_all()

        def repaired() -> bool:
            certificates = Certificate.objects.filter(enrollment_id__in=ids)
            return certificates.count() == 50 and not certificates.filter(rendered_at__isnull=True).exists()

        wait_for(repaired, timeout=WAIT, interval=0.5, what="every certificate to be issued and rendered")
        # The next run nudges the emails of the certificates rendered late.
        reconcile_all()
        wait_for(lambda: not Certificate.objects.filter(emailed_at__isnull=True).exists(), timeout=WAIT,
                 interval=0.5, what="every issue email to be claimed")
        wait_for(lambda: queue_length(private_queue) == 0, timeout=WAIT, what="the reconciled work to drain")
        assert survivor.failures() == []
    finally:
        drop_unacknowledged(private_queue)

    certificates = Certificate.objects.filter(enrollment_id__in=ids)
    issued = Counter(CertificateEvent.objects.filter(kind=CertificateEvent.Kind.ISSUED)
                     .values_list("certificate_id", flat=True))
    figure("rows lost", 50 - certificates.values("enrollment_id").distinct().count())
    figure("rows doubled", certificates.count() - certificates.values("enrollment_id").distinct().count())
    figure("exactly-once checks", len(issued))
    assert certificates.count() == 50
    assert certificates.values("enrollment_id").distinct().count() == 50
    assert not certificates.filter(rendered_at__isnull=True).exists()
    assert all(certificate.pdf for certificate in certificates)
    assert sorted(issued.values()) == [1] * 50
    emailed = Counter(CertificateEvent.objects.filter(kind=CertificateEvent.Kind.EMAILED)
                      .values_list("certificate_id", flat=True))
    assert all(count == 1 for count in emailed.values())  # at most once, even across the kill
    mailed = _mailed_codes(var_dir)
    figure("messages lost in flight (at most once by design)", 50 - len(mailed))
    assert all(count == 1 for count in mailed.values())
    assert len(mailed) >= 49  # only a message whose claim the kill interrupted may be lost
