"""Prometheus metrics: what every process counts, what the scrape reads live, and who may read them.

Counted where it happens, in whichever process it happens in: HTTP requests (``RequestMetricsMiddleware``,
web processes) and Celery tasks (signal handlers, worker processes; in eager mode the web process or the
test). prometheus_client's multiprocess mode writes each process's figures to files in
``PROMETHEUS_MULTIPROC_DIR`` (``lms/settings/metrics.py`` sets it under VAR_DIR before this module loads),
and the scrape adds them up, so two gunicorn processes and the worker's children answer as one.

Read at scrape time: the queue depths from the broker, and the gauges each app registers with
``@metrics_source("name")`` in its ``metrics.py`` (a handful of aggregate queries; lms never imports them).

Labels stay few: ``route`` is the URL pattern's name (``v1:course-detail``), never the path.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Iterable

from celery import signals
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import autodiscover_modules
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

from lms.celery import app as celery_app

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "lms_http_requests", "HTTP requests answered, by URL pattern name, method and status class.",
    ["route", "method", "status_class"],
)
HTTP_LATENCY = Histogram(
    "lms_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern name, method and status class.",
    ["route", "method", "status_class"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter(
    "lms_celery_tasks", "Celery task runs, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
TASK_LATENCY = Histogram(
    "lms_celery_task_duration_seconds", "Time a Celery task ran, by task name.", ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0),
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the route label of a request no URL pattern matched (a 404 on an unknown path)


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or UNMATCHED


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so it times everything the others do too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        labels = {
            "route": route_of(request),
            "method": request.method if request.method in METHODS else "other",
            "status_class": f"{response.status_code // 100}xx",
        }
        HTTP_REQUESTS.labels(**labels).inc()
        HTTP_LATENCY.labels(**labels).observe(time.perf_counter() - started)
        return response


# --- Celery ---------------------------------------------------------------------------------

_task_started: dict[str, float] = {}
_task_started_lock = threading.Lock()


@signals.task_prerun.connect
def _task_prerun(task_id: str | None = None, **_kwargs) -> None:
    if task_id:
        with _task_started_lock:
            _task_started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_postrun(task_id: str | None = None, task=None, **_kwargs) -> None:
    with _task_started_lock:
        started = _task_started.pop(task_id or "", None)
    if started is not None and task is not None:
        TASK_LATENCY.labels(task=task.name).observe(time.perf_counter() - started)


@signals.task_success.connect
def _task_success(sender=None, **_kwargs) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="succeeded").inc()


@signals.task_failure.connect
def _task_failure(sender=None, **_kwargs) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="failed").inc()


@signals.task_retry.connect
def _task_retry(sender=None, **_kwargs) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()


# --- read at scrape time --------------------------------------------------------------------

MetricsSource = Callable[[], Iterable[Metric]]
_sources: dict[str, MetricsSource] = {}


def metrics_source(name: str) -> Callable[[MetricsSource], MetricsSource]:
    """Register a function that returns metric families read at scrape time (a few cheap queries)."""

    def register(func: MetricsSource) -> MetricsSource:
        _sources[name] = func
        return func

    return register


def registered_sources() -> dict[str, MetricsSource]:
    autodiscover_modules("metrics")
    return dict(_sources)


def queue_names() -> list[str]:
    return [settings.CELERY_TASK_DEFAULT_QUEUE, "long"]


def queue_depths() -> dict[str, int]:
    """Messages waiting in each queue, asked of the broker: one length query per queue."""
    with celery_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        channel = conn.default_channel
        return {name: int(channel.queue_declare(queue=name, passive=False).message_count)
                for name in queue_names()}


@metrics_source("database")
def database_connections() -> Iterable[Metric]:
    """PostgreSQL only (one query): this database's open connections against the server's limit."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity "
                       "WHERE datname = current_database()")
        used, limit = cursor.fetchone()
    return [GaugeMetricFamily("lms_database_connections", "Connections open to this database.", value=used),
            GaugeMetricFamily("lms_database_connections_max", "The server's connection limit.", value=limit)]


class ScrapeCollector:
    """The figures read when Prometheus asks: the broker's queues and every registered source."""

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("lms_metrics_source_up", "1 when a scrape-time source answered, 0 when it failed.",
                               labels=["source"])
        depth = GaugeMetricFamily("lms_celery_queue_messages", "Messages waiting in a Celery queue.",
                                  labels=["queue"])
        try:
            for name, count in queue_depths().items():
                depth.add_metric([name], count)
            up.add_metric(["broker"], 1)
        except Exception:  # a scrape reports a failing broker, it does not fail
            logger.exception("metrics: the broker's queue depths could not be read")
            up.add_metric(["broker"], 0)
        yield depth
        for name, source in registered_sources().items():
            try:
                families = list(source())
            except Exception:  # one broken source must not hide the others
                logger.exception("metrics: source %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def scrape() -> bytes:
    """The text exposition of every process's counters and the scrape-time gauges."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(ScrapeCollector())
    return generate_latest(registry)


# --- access ---------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _client_in(request: HttpRequest, networks: list) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_access_allowed(request: HttpRequest) -> bool:
    """Closed unless configured. Each configured check must pass: METRICS_TOKEN (a bearer token, its
    digest compared in constant time) and METRICS_ALLOWED_NETWORKS (the client's address)."""
    digest, networks = settings.METRICS_TOKEN_DIGEST, settings.METRICS_ALLOWED_NETWORKS
    if not digest and not networks:
        return False
    if digest and not hmac.compare_digest(token_digest(_bearer(request)), digest):
        return False
    return not networks or _client_in(request, networks)
