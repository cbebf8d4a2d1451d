"""/metrics: closed unless configured, counts what happened (requests, tasks) and reads the backlogs live."""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportExport, WebhookDelivery, WebhookEndpoint
from courses.reminders.models import ReminderLog
from courses.xapi.models import XapiStatement
from lms import metrics
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-" + "x" * 30


@celery_app.task(name="tests.metrics_fails")
def metrics_fails() -> None:
    raise RuntimeError("this task always fails")


@celery_app.task(name="tests.metrics_retries_once", bind=True, max_retries=1)
def metrics_retries_once(self, attempt: int = 0) -> str:
    if attempt == 0:
        raise self.retry(args=[1], countdown=0)
    return "done"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN_DIGEST = hashlib.sha256(TOKEN.encode()).hexdigest()
    settings.METRICS_ALLOWED_NETWORKS = []
    return settings


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def scrape(client=None, token: str = TOKEN) -> dict[tuple[str, tuple], float]:
    client = client or APIClient()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- access ------------------------------------------------------------------------------------


def test_closed_when_nothing_is_configured(settings):
    settings.METRICS_TOKEN_DIGEST, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert APIClient().get("/metrics").status_code == 404
    assert APIClient().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_refused_without_the_right_token(metrics_on, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = APIClient().get("/metrics", **extra)
    assert response.status_code == 404
    assert b"lms_http_requests" not in response.content


def test_the_right_token_is_let_in(metrics_on):
    assert value(scrape(), "lms_metrics_source_up", source="broker") == 1


def test_networks_alone_let_in_only_their_clients(settings):
    settings.METRICS_TOKEN_DIGEST = ""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert APIClient(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert APIClient(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 404


def test_token_and_networks_must_both_pass(metrics_on):
    metrics_on.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert APIClient(REMOTE_ADDR="192.0.2.7").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404
    assert APIClient(REMOTE_ADDR="10.0.0.1").get("/metrics").status_code == 404
    assert APIClient(REMOTE_ADDR="10.0.0.1").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_never_throttled(metrics_on):
    # More scrapes than the anonymous budget (60/min), the strict one (10/min) and any rate allows.
    client = APIClient()
    statuses = {client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code for _ in range(65)}
    assert statuses == {200}


def test_not_in_the_public_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/metrics" not in schema


# --- counters ----------------------------------------------------------------------------------


def test_a_journey_moves_the_request_and_task_counters(metrics_on, client_for, org, eager,
                                                       django_capture_on_commit_callbacks):
    course = build_course(activities=[{"title": "One"}, {"title": "Two"}])
    client = client_for(people.member(org))
    before = scrape()

    enrolled = client.post(f"/api/v1/courses/{course.slug}/enroll/")
    assert enrolled.status_code == 201
    assert client.post(f"/api/v1/courses/{course.slug}/enroll/").status_code == 200  # a repeat
    assert client.get("/api/v1/no-such-thing/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        for activity in activities_of(course):
            done = client.post(f"/api/v1/enrollments/{enrolled.json()['id']}/activities/{activity.pk}/complete/")
            assert done.status_code == 200
    assert done.json()["enrollment"]["status"] == "completed"
    assert Certificate.objects.filter(enrollment_id=enrolled.json()["id"]).exists()
    metrics_fails.apply_async()
    metrics_retries_once.apply_async()

    after = scrape()

    def moved(name, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "lms_http_requests_total"
    assert moved(requests, route="v1:course-enroll", method="POST", status_class="2xx") == 2
    assert moved(requests, route="v1:activity-complete", method="POST", status_class="2xx") == 2
    assert moved(requests, route="unmatched", method="GET", status_class="4xx") == 1
    assert moved("lms_http_request_duration_seconds_count", route="v1:course-enroll", method="POST",
                 status_class="2xx") == 2
    assert moved(requests, route="metrics", method="GET", status_class="2xx") == 1  # the first scrape
    # Completion issued the certificate (rendered in the same task), which then sent its email.
    task_runs = {
        (dict(labels)["task"], dict(labels)["outcome"]): moved(name, **dict(labels))
        for name, labels in after if name == "lms_celery_tasks_total" and moved(name, **dict(labels))
    }
    assert task_runs == {
        ("courses.certificate_issue", "succeeded"): 1, ("courses.certificate_email", "succeeded"): 1,
        ("tests.metrics_fails", "failed"): 1,
        ("tests.metrics_retries_once", "retried"): 1, ("tests.metrics_retries_once", "succeeded"): 1,
    }
    for name in ("courses.certificate_issue", "courses.certificate_email", "tests.metrics_fails"):
        assert moved("lms_celery_task_duration_seconds_count", task=name) == 1, name


# --- read at scrape time -----------------------------------------------------------------------


def test_the_backlog_gauges_equal_the_database(metrics_on, org):
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(organization=org, url="https://hr.example.com/hook",
                                              secret_encrypted="x", event_types=["enrollment.completed"])
    for number, (status, age) in enumerate([("pending", 3600), ("pending", 60), ("succeeded", 7200)]):
        WebhookDelivery.objects.create(endpoint=endpoint, event_type="enrollment.completed", object_id=number,
                                       payload={}, status=status, created_at=now - timedelta(seconds=age))
    learner = people.member(org)
    for number, (status, due) in enumerate([("pending", -600), ("pending", 900), ("sent", -9000)]):
        ReminderLog.objects.create(recipient=learner, kind="test", subject_id=number, period="p",
                                   status=status, not_before=now + timedelta(seconds=due))
    course = build_course(activities=[{"title": "One"}])
    for hours in (5, 2):
        enrollment, _ = enrollment_services.enrollment_create(user=people.member(org), course=course)
        Enrollment.objects.filter(pk=enrollment.pk).update(status="completed",
                                                           completed_at=now - timedelta(hours=hours))
    for seconds, status in ((30, "done"), (90, "expired"), (None, "running")):
        ReportExport.objects.create(
            organization=org, format="csv", request_key=f"k{seconds}", status=status, started_at=now,
            finished_at=now + timedelta(seconds=seconds) if seconds else None)

    for number, (status, age) in enumerate([("pending", 1800), ("pending", 10), ("failed", 9000), ("sent", 9000)]):
        XapiStatement.objects.create(statement_id=uuid.uuid4(), organization=org, event=f"test:{number}",
                                     verb="registered", statement={}, status=status,
                                     created_at=now - timedelta(seconds=age))

    samples = scrape()

    assert value(samples, "lms_xapi_statements_pending") == 2 and value(samples, "lms_xapi_statements_failed") == 1
    assert 1800 <= value(samples, "lms_xapi_outbox_lag_seconds") < 9000  # the oldest pending, not the sent one
    assert value(samples, "lms_webhook_deliveries_pending") == 2
    assert value(samples, "lms_webhook_delivery_lag_seconds") >= 3600
    assert value(samples, "lms_webhook_delivery_lag_seconds") < 7200  # not the delivered one's age
    assert value(samples, "lms_reminders_pending") == 2
    assert 600 <= value(samples, "lms_reminder_lag_seconds") < 9000
    assert value(samples, "lms_certificates_missing") == 2
    assert value(samples, "lms_certificate_issue_lag_seconds") >= 5 * 3600
    assert value(samples, "lms_report_export_duration_seconds_count") == 2
    assert value(samples, "lms_report_export_duration_seconds_sum") == pytest.approx(120)
    assert value(samples, "lms_report_exports_active") == 1
    for source in ("broker", "webhooks", "xapi", "reminders", "certificates", "report-exports", "database"):
        assert value(samples, "lms_metrics_source_up", source=source) == 1, source


def test_the_gauges_are_zero_with_nothing_waiting(metrics_on):
    samples = scrape()
    for name in ("lms_webhook_deliveries_pending", "lms_webhook_delivery_lag_seconds", "lms_xapi_statements_pending",
                 "lms_xapi_outbox_lag_seconds", "lms_reminders_pending",
                 "lms_certificates_missing", "lms_certificate_issue_lag_seconds", "lms_report_exports_active"):
        assert (name, ()) in samples, name
        assert value(samples, name) == 0, name


def test_both_queues_are_reported(metrics_on, settings):
    samples = scrape()
    for queue in (settings.CELERY_TASK_DEFAULT_QUEUE, "long"):
        assert ("lms_celery_queue_messages", (("queue", queue),)) in samples, queue


def test_queue_depth_is_read_from_the_broker(metrics_on, monkeypatch):
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"  # a queue of this test's own, emptied after
    monkeypatch.setattr(metrics, "queue_names", lambda: [queue])
    try:
        assert value(scrape(), "lms_celery_queue_messages", queue=queue) == 0
        for _ in range(3):
            celery_app.send_task("tests.metrics_never_consumed", queue=queue)
        assert value(scrape(), "lms_celery_queue_messages", queue=queue) == 3
    finally:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


def test_a_scrape_costs_a_handful_of_queries(metrics_on, org):
    course = build_course(activities=[{"title": "One"}])
    enrollment_services.enrollment_create(user=people.member(org), course=course)
    with CaptureQueriesContext(connection) as queries:
        scrape()
    # webhooks, xAPI outbox, reminders, certificates, exports; on PostgreSQL one more for the connections in use.
    assert len(queries) == 5 + (connection.vendor == "postgresql"), [q["sql"] for q in queries]


# --- the dashboard -----------------------------------------------------------------------------

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def test_the_dashboard_asks_only_for_metrics_the_scrape_serves(metrics_on, client_for, org, eager):
    client_for(people.member(org)).get("/api/v1/me/")
    metrics_retries_once.apply_async()
    served = {name for name, _ in scrape()}
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    asked = {name for expr in exprs for name in re.findall(r"\blms_[a-z_]+", expr)}
    assert len(asked) >= 12
    if connection.vendor != "postgresql":
        served |= {"lms_database_connections", "lms_database_connections_max"}  # PostgreSQL only
    assert not asked - served, asked - served


# --- configuration -----------------------------------------------------------------------------


def test_a_network_that_is_not_one_refuses_to_start(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("METRICS_", "PROMETHEUS_"))}
    env.update({"VAR_DIR": str(tmp_path / "var"), "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,not-a-network"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_NETWORKS: 'not-a-network' is not a network" in result.stderr


def test_settings_keep_the_token_digest_not_the_token(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("METRICS_", "PROMETHEUS_"))}
    env.update({"VAR_DIR": str(tmp_path / "var"), "METRICS_TOKEN": TOKEN})
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"], env=env, cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout
    assert hashlib.sha256(TOKEN.encode()).hexdigest() in result.stdout
