"""The probes a load balancer polls: liveness and readiness are never throttled, cost the database at
most one check per cache period, and readiness answers 503 when the database fails."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from lms.api import health

LIVE, READY, DEEP = "/api/v1/health/live/", "/api/v1/health/ready/", "/api/v1/health/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_readiness(monkeypatch):
    """A fresh readiness cache and a clock that stands still unless a test moves it."""
    now = [1000.0]
    monkeypatch.setattr(health, "clock", lambda: now[0])
    health.ready_forget()
    yield now
    health.ready_forget()


@pytest.fixture
def strict_rates(monkeypatch):
    """The strict and anonymous budgets at their smallest: any throttle on the probes would show."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**SimpleRateThrottle.THROTTLE_RATES, "strict": "1/min", "anon": "1/min"})


def _down(*args, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def test_a_probe_loop_is_never_throttled_and_barely_touches_the_database(strict_rates):
    client = APIClient(REMOTE_ADDR="10.1.2.3")  # one load balancer, one address
    statuses: dict[int, int] = {}
    with CaptureQueriesContext(connection) as queries:
        for index in range(600):
            response = client.get(LIVE if index % 2 else READY)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert statuses == {200: 600}
    assert len(queries) <= 3, [query["sql"] for query in queries.captured_queries]
    assert client.get(LIVE).json() == {"status": "ok"}
    body = client.get(READY).json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True and body["checks"]["broker"]["ok"] is True


def test_ready_checks_again_once_its_answer_is_older_than_the_cache_period(settings, fresh_readiness,
                                                                            monkeypatch):
    settings.HEALTH_READY_CACHE_SECONDS = 2.0
    client = APIClient()
    assert client.get(READY).status_code == 200
    monkeypatch.setattr(connection, "cursor", _down)
    fresh_readiness[0] += 1.5
    cached = client.get(READY)
    assert cached.status_code == 200  # still inside the period: the last answer stands
    assert cached.json()["age_seconds"] == 1.5
    fresh_readiness[0] += 1.0
    assert client.get(READY).status_code == 503


def test_a_failing_database_makes_ready_503_while_live_stays_200(monkeypatch):
    monkeypatch.setattr(connection, "cursor", _down)
    client = APIClient()
    response = client.get(READY)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["detail"]
    assert body["checks"]["broker"]["ok"] is True
    assert client.get(LIVE).status_code == 200


def test_a_failing_broker_makes_ready_503(monkeypatch):
    def broker_down():
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(health, "check_broker", broker_down)
    response = APIClient().get(READY)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["detail"] == "ConnectionRefusedError: broker unreachable"


def test_the_deep_check_keeps_its_path_and_its_strict_throttle(strict_rates, monkeypatch):
    monkeypatch.setattr(health, "check_worker", lambda: None)
    client = APIClient()
    first = client.get(DEEP)
    assert first.status_code == 200
    assert set(first.json()["checks"]) == {"database", "broker", "worker"}
    assert client.get(DEEP).status_code == 429


def test_the_probes_are_in_the_openapi_schema():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (LIVE, READY, DEEP):
        assert "get" in schema["paths"][path], path
    ready = schema["paths"][READY]["get"]["responses"]
    assert {"200", "503"} <= set(ready)
