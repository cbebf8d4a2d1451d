"""Health: a liveness probe (the process answers), a readiness probe (database and broker, from a
short-lived cache) and the deep check (database, broker and a real worker round trip).

The two probes are for load balancers and orchestrators that poll every second: they never go
through a throttle and read no session, token or key (no database work before the check itself).
"""
from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import selectors, services
from lms.celery import app as celery_app
from lms.tasks import health_ping
from lms.throttles import StrictThrottle


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a health check reports failures, it does not raise them
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    result = {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_broker() -> str | None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    return None


def check_worker() -> str | None:
    """Send a real task and wait for a worker to mark the probe row answered."""

    probe = services.health_probe_create()
    try:
        health_ping.apply_async(args=[probe.pk], retry=False)
        deadline = time.monotonic() + settings.HEALTH_WORKER_TIMEOUT
        while time.monotonic() < deadline:
            if selectors.health_probe_answered(probe_id=probe.pk):
                return None
            time.sleep(0.1)
        raise TimeoutError(f"no worker answered within {settings.HEALTH_WORKER_TIMEOUT:g}s")
    finally:
        services.health_probe_delete(probe_id=probe.pk)
        services.health_probes_prune()


HealthCheckSerializer = inline_serializer(
    "HealthCheck", {"ok": serializers.BooleanField(), "ms": serializers.FloatField(),
                    "detail": serializers.CharField(required=False)},
)


class HealthApi(APIView):
    """200 when the database, the broker and a worker all answer; 503 otherwise."""

    permission_classes = [AllowAny]
    throttle_classes = [StrictThrottle]

    @extend_schema(
        tags=["health"], auth=[],
        responses={
            (code, "application/json"): inline_serializer(
                f"Health{code}",
                {"status": serializers.ChoiceField(choices=["ok", "failing"]),
                 "checks": inline_serializer(f"HealthChecks{code}", {
                     "database": HealthCheckSerializer, "broker": HealthCheckSerializer,
                     "worker": HealthCheckSerializer})},
            )
            for code in (200, 503)
        },
    )
    def get(self, request):
        checks = {"database": _timed(check_database), "broker": _timed(check_broker)}
        checks["worker"] = (
            _timed(check_worker) if checks["database"]["ok"] and checks["broker"]["ok"]
            else {"ok": False, "ms": 0.0, "detail": "skipped: database or broker is down"}
        )
        healthy = all(check["ok"] for check in checks.values())
        return Response({"status": "ok" if healthy else "failing", "checks": checks},
                        status=200 if healthy else 503)


# --- probes --------------------------------------------------------------------------------

clock = time.monotonic  # the readiness cache's clock (tests move it instead of waiting)
_ready_lock = threading.Lock()
_ready: dict = {"at": None, "answer": None}


def ready_forget() -> None:
    """Drop the cached readiness answer (tests, and nothing else, need a fresh check at once)."""
    with _ready_lock:
        _ready.update(at=None, answer=None)


def ready_checks() -> tuple[bool, dict, float]:
    """(ready, checks, age in seconds): the database and broker checks, at most once per
    HEALTH_READY_CACHE_SECONDS in this process. One caller checks while the others wait for its answer,
    so a burst of probes makes one check, not one each."""
    with _ready_lock:
        now = clock()
        at = _ready["at"]
        if at is None or not 0 <= now - at < settings.HEALTH_READY_CACHE_SECONDS:
            checks = {"database": _timed(check_database), "broker": _timed(check_broker)}
            _ready.update(at=now, answer=(all(check["ok"] for check in checks.values()), checks))
            at = now
        ready, checks = _ready["answer"]
        return ready, checks, round(now - at, 3)


class ProbeApi(APIView):
    """Public, never throttled, no authentication: a probe must cost nothing before its own check."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class HealthLiveApi(ProbeApi):
    """Liveness: 200 whenever this process can answer a request. It touches neither the database nor
    the broker, so an outage of either never makes an orchestrator restart healthy web processes."""

    @extend_schema(tags=["health"], auth=[], responses={(200, "application/json"): inline_serializer(
        "HealthLive", {"status": serializers.ChoiceField(choices=["ok"])})})
    def get(self, request):
        return Response({"status": "ok"})


class HealthReadyApi(ProbeApi):
    """Readiness: 200 when the database and the broker answer, 503 otherwise (take this process out of
    the pool). The answer may be up to HEALTH_READY_CACHE_SECONDS old (`age_seconds` says how old), so
    polling it every second checks each at most once per period. The worker is not checked here:
    `GET /api/v1/health/` does the full round trip."""

    @extend_schema(
        tags=["health"], auth=[],
        responses={
            (code, "application/json"): inline_serializer(
                f"HealthReady{code}",
                {"status": serializers.ChoiceField(choices=["ok", "failing"]),
                 "age_seconds": serializers.FloatField(),
                 "checks": inline_serializer(f"HealthReadyChecks{code}", {
                     "database": HealthCheckSerializer, "broker": HealthCheckSerializer})},
            )
            for code in (200, 503)
        },
    )
    def get(self, request):
        ready, checks, age = ready_checks()
        return Response({"status": "ok" if ready else "failing", "age_seconds": age, "checks": checks},
                        status=200 if ready else 503)
