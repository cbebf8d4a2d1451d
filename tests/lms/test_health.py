"""Health: a real round trip through the broker to a real Celery worker, or a 503 that says why."""
from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from lms.celery import app as celery_app
from lms.models import HealthProbe
from tests.helpers import assert_error

HEALTH_URL = "/api/v1/health/"


@pytest.fixture
def private_queue():
    """Route tasks to a queue of this test's own, so no other worker on the same broker (a dev
    server's, a parallel run's) takes our ping, and purge it afterwards."""
    name = f"health-test-{uuid.uuid4().hex[:12]}"
    queues = celery_app.amqp.queues
    previous_default, previous_consume_from = celery_app.conf.task_default_queue, queues._consume_from
    celery_app.conf.task_default_queue = name
    yield name
    # A worker started with queues=[name] narrows the app's queue selection; give it back, so
    # later embedded workers consume from the configured queues again.
    celery_app.conf.task_default_queue = previous_default
    queues._consume_from = previous_consume_from
    queue = queues.pop(name)
    with celery_app.connection_for_write() as conn:
        bound = queue.bind(conn.default_channel)
        bound.declare()  # so this channel knows the bindings it is asked to delete
        bound.purge()
        bound.delete()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_healthy_with_a_real_worker(api_client, private_queue, settings):
    settings.HEALTH_WORKER_TIMEOUT = 30.0  # an upper bound for a slow machine, not a timing assertion
    with start_worker(celery_app, perform_ping_check=False, pool="solo", queues=[private_queue],
                      shutdown_timeout=30.0):
        response = api_client.get(HEALTH_URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert all(check["ok"] is True for check in body["checks"].values()), body
    assert "detail" not in body["checks"]["worker"]
    assert HealthProbe.objects.count() == 0  # the probe row is cleaned up


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_no_worker_is_503(api_client, private_queue, settings):
    settings.HEALTH_WORKER_TIMEOUT = 0.5
    response = api_client.get(HEALTH_URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"] == "TimeoutError: no worker answered within 0.5s"
    assert HealthProbe.objects.count() == 0


@pytest.mark.django_db
def test_broker_down_skips_the_worker_check(api_client, monkeypatch):
    from lms.api import health

    def broker_down():
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(health, "check_broker", broker_down)
    response = api_client.get(HEALTH_URL)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == {"ok": False, "ms": checks["broker"]["ms"],
                                "detail": "ConnectionRefusedError: broker unreachable"}
    assert checks["worker"]["ok"] is False and checks["worker"]["detail"].startswith("skipped")
    assert HealthProbe.objects.count() == 0


@pytest.mark.django_db
def test_health_is_public_but_strictly_throttled(api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from lms.api import health

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "strict": "1/min"})
    monkeypatch.setattr(health, "check_worker", lambda: None)
    assert api_client.get(HEALTH_URL).status_code == 200
    response = api_client.get(HEALTH_URL)
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_old_probes_are_pruned(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from lms import services

    old = services.health_probe_create()
    HealthProbe.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = services.health_probe_create()
    assert services.health_probes_prune() == 1
    assert list(HealthProbe.objects.values_list("pk", flat=True)) == [fresh.pk]
    services.health_probe_answer(probe_id=fresh.pk)
    assert HealthProbe.objects.get(pk=fresh.pk).answered_at is not None
