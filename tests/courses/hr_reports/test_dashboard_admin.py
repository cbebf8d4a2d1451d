"""The admin screens of reports and webhooks, the replica router, the demo."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from courses.hr_reports.models import WebhookDelivery
from courses.hr_reports.services import webhooks as webhook_services
from tests import factories as people
from tests.courses.hr_reports.conftest import complete

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_screens_and_the_replay_action(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(webhook_services, "webhook_delivery_schedule", lambda pk, countdown=0: sent.append(pk))
    endpoint, _ = webhook_services.webhook_endpoint_create(organization=world.acme, url="https://hr.example/h",
                                                           event_types=["enrollment.completed"])
    complete(world.enrollments["alice"])
    [delivery_id] = webhook_services.webhook_events_emit(event_type="enrollment.completed",
                                                         object_id=world.enrollments["alice"].pk)
    WebhookDelivery.objects.filter(pk=delivery_id).update(status="failed")
    admin = people.UserFactory(is_superuser=True, is_staff=True)
    client = _client(admin)
    for path in ("reportexport", "reportauditentry", "webhookendpoint", "webhookdelivery"):
        assert client.get(f"/admin/courses/{path}/").status_code == 200, path
    page = client.get(f"/admin/courses/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert "secret_encrypted" not in page and endpoint.secret_encrypted not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/courses/webhookdelivery/", {"action": "replay",
                                                                   "_selected_action": [delivery_id]})
    assert response.status_code == 302
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "pending" and sent == [delivery_id]


def test_replica_router_and_setting():
    from courses.hr_reports.routers import ReportsReplicaRouter

    router = ReportsReplicaRouter()
    assert router.allow_migrate("reports", "courses") is False and router.allow_migrate("default", "courses")
    assert router.db_for_write(object) == "default"
    script = ("import django; django.setup(); from django.conf import settings; "
              "from courses.hr_reports import queries as reports; "
              "print(settings.DATABASES['reports']['NAME'], reports.reports_database())")
    env = {**os.environ, "REPORTS_DATABASE_URL": "postgres://reader@replica.example:5432/lms_replica",
           "DJANGO_SETTINGS_MODULE": "lms.settings"}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=str(django_settings.BASE_DIR),  # noqa: S603
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["lms_replica", "reports"]


def test_without_a_replica_reports_read_the_default_database():
    from courses.hr_reports import queries as reports

    assert reports.reports_database() == "default"


def test_demo_hr_sees_a_populated_dashboard(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    from lms.models import User

    html = _client(User.objects.get(email="hr@acme.example")).get("/hr/").content.decode()
    assert "<polyline" in html and "No completions" not in html and "No enrollments match" not in html
    assert 'class="hr-months"' in html  # the chart's data table
