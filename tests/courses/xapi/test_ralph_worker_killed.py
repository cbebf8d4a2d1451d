"""A worker SIGKILLed mid-batch - after its statements reached the LRS, before it could mark them sent - and
the resend that follows: the LRS (ralph, real) holds each statement id once. PostgreSQL + Redis only (worker
processes open the test database)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from courses.enrollments import services as enrollment_services
from courses.xapi.models import XapiStatement
from courses.xapi.services.outbox import xapi_send_schedule
from lms.celery import app as celery_app
from lms.reconciler import reconcile_all
from tests import factories as people
from tests.courses.certificates.conftest import (  # noqa: F401
    WorkerProcess,
    drop_unacknowledged,
    private_queue,
    wait_for,
)
from tests.courses.factories import activities_of, build_course
from tests.courses.xapi.conftest import configure
from tests.courses.xapi.lrs import holding_proxy

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
                       reason="worker processes need PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_killing_the_worker_mid_batch_and_resending_leaves_no_duplicate_in_the_lrs(
        org, lrs, private_queue, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)  # the credentials are encrypted with a key derived from it
    monkeypatch.setenv("XAPI_BATCH_SIZE", "3")
    monkeypatch.setenv("XAPI_RETRY_BASE_SECONDS", "1")
    var_dir = tmp_path / "worker-var"
    var_dir.mkdir()
    course = build_course(slug="kill-xapi", activities=[{"title": "Read"}, {"title": "Reflect"}],
                          organization=org.organization)
    started: list[WorkerProcess] = []

    def worker(name: str) -> WorkerProcess:
        process = WorkerProcess(queue=private_queue, broker_url=celery_app.conf.broker_url, var_dir=var_dir,
                                media_root=settings.MEDIA_ROOT, name=name)
        started.append(process)
        wait_for(process.ready, timeout=120, what=f"worker {name}")
        return process

    try:
        with holding_proxy(lrs.target) as proxy:
            monkeypatch.setenv("XAPI_TEST_TARGETS", f"{proxy.target},{lrs.target}")  # for the worker processes
            configure(org.organization, f"http://{proxy.target}/xAPI")
            for learner in [org.learner, *(people.member(org.organization) for _ in range(2))]:
                enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
                enrollment_services.lesson_complete(enrollment=enrollment, activity=activities_of(course)[0])
            rows = XapiStatement.objects.filter(organization=org.organization)
            total = rows.count()
            assert total == 9  # per learner: registered, launched, experienced
            proxy.holding.set()  # the LRS stores the first batch; its answer never comes back
            xapi_send_schedule(org.organization.pk)
            victim = worker("xapi-victim")
            wait_for(lambda: len(lrs.statements()) == 3, timeout=120, what="the first batch to reach the LRS",
                     diagnose=lambda: victim.log()[-4000:])
            victim.kill()  # mid-batch: stored by the LRS, never marked sent here
            assert rows.filter(status="sent").count() == 0
            assert rows.filter(attempts=1).count() == 3
            proxy.holding.clear()
            # The claim moved next_attempt_at a second ahead: once due, the reconciler re-enqueues the send.
            wait_for(lambda: reconcile_all()["xapi-due"] >= 1, timeout=30, interval=0.5,
                     what="the reconciler to find the interrupted batch")
            survivor = worker("xapi-survivor")
            wait_for(lambda: rows.filter(status="sent").count() == total, timeout=120, interval=0.5,
                     what="the survivor to send everything", diagnose=lambda: survivor.log()[-3000:])
            forwarded = list(proxy.forwarded)
    finally:
        for process in started:
            process.stop(timeout=30)
        drop_unacknowledged(private_queue)
    stored = [statement["id"] for statement in lrs.statements()]
    assert len(stored) == len(set(stored)) == total  # no duplicate statement id in the LRS
    assert set(stored) == {str(sid) for sid in rows.values_list("statement_id", flat=True)}
    assert sum(forwarded) > total  # the first batch really went twice
