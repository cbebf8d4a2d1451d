"""Health: database, broker and a real worker round trip."""
from __future__ import annotations

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
