"""PRIVACY_RETENTION_DAYS: the documented defaults, each class overridable by its variable, the two reused
settings, and a value that is not a positive whole number refusing to start."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRINT = ("import django, json; django.setup(); from django.conf import settings; "
         "print(json.dumps([settings.PRIVACY_RETENTION_DAYS, settings.PRIVACY_RETENTION_HOURS, "
         "settings.PRIVACY_RETENTION_BATCH]))")


def _load(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PRIVACY_RETENTION", "REMINDER_LOG", "REPORTS_EXPORT"))}
    env.pop("DATABASE_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="lms.settings", VAR_DIR=str(tmp_path), CELERY_BROKER_URL="memory://",
               **variables)
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT,  # noqa: S603 - this interpreter, fixed code
                          env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_defaults_and_overrides(tmp_path):
    result = _load(tmp_path, PRIVACY_RETENTION_RECORDINGS_DAYS="30", REMINDER_LOG_RETENTION_DAYS="500",
                   REPORTS_EXPORT_TTL_HOURS="48", PRIVACY_RETENTION_BATCH="250")
    assert result.returncode == 0, result.stderr
    days, hours, batch = json.loads(result.stdout)
    assert days == {"reminder_log": 500, "notification_log": 365, "certificate_events": 730,
                    "webhook_deliveries": 90, "report_audit": 365, "data_exports": 7, "recordings": 30,
                    "access_log": 365, "xapi_outbox": 30, "erasure_records": 1825}
    assert hours == {"report_exports": 48}
    assert batch == 250


@pytest.mark.parametrize("variable, value", [("PRIVACY_RETENTION_ACCESS_LOG_DAYS", "0"),
                                             ("PRIVACY_RETENTION_XAPI_OUTBOX_DAYS", "-3"),
                                             ("PRIVACY_RETENTION_BATCH", "0"),
                                             ("REPORTS_EXPORT_TTL_HOURS", "0"),
                                             ("PRIVACY_RETENTION_HOUR", "24")])
def test_a_value_that_is_not_a_positive_whole_number_refuses_to_start(tmp_path, variable, value):
    result = _load(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
