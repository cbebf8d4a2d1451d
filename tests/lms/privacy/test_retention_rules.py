"""lms's own rules (data exports, the access log, erasure records) appear only once their models exist, and
then remove what is past its days with its files; the task is on the nightly beat."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from courses.hr_reports.models import ReportExport
from lms.privacy import retention, retention_rules
from tests.lms.privacy.retention_world import Parents

pytestmark = pytest.mark.django_db


def test_rules_of_models_not_there_yet_are_not_registered(monkeypatch):
    def missing(label):
        raise LookupError(label)

    monkeypatch.setattr(retention_rules.apps, "get_model", missing)
    before = dict(retention._rules)
    retention_rules.register_for("access_log", "lms.NoSuchModel", name="Nothing")
    assert retention._rules == before


def test_a_model_that_arrives_gets_its_rule_by_its_date_and_file_fields(monkeypatch, org,
                                                                        django_capture_on_commit_callbacks):
    """Stand-in: a model with ``created_at``, ``status`` and a file, as the data export model will have."""
    monkeypatch.setattr(retention_rules.apps, "get_model", lambda label: ReportExport)
    monkeypatch.setattr(retention, "_rules", dict(retention._rules))
    retention_rules.register_for("data_exports", "lms.DataExport", name="Personal data exports")
    rule = retention._rules[("data_exports", "Personal data exports")]
    assert (rule.date_field, rule.file_fields) == ("created_at", ("file",))

    parents = Parents(org)
    old = parents.report_export(timezone.now() - timedelta(days=8))
    running = parents.report_export(timezone.now() - timedelta(days=8), status="running")
    with django_capture_on_commit_callbacks(execute=True):
        removed, _ = retention.rule_apply(rule, now=timezone.now(), batch=10, max_batches=5)
    assert removed == 1
    assert list(ReportExport.objects.values_list("pk", flat=True)) == [running.pk]
    assert not old.file.storage.exists(old.file.name)


def test_an_unknown_data_class_is_refused():
    with pytest.raises(ValueError, match="not a retention data class"):
        retention.retention_rule("everything", label="All", date_field="at")


def test_the_task_runs_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "lms.privacy_retention"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {settings.PRIVACY_RETENTION_HOUR}
