"""lms's own rules remove data exports (with their archives), access-log entries and erasure records at their
data class's age and not a day before; the task is on the nightly beat."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from lms.privacy import retention
from lms.privacy.models import AccessLogEntry, DataExport, ErasureRecord
from tests import factories as people

pytestmark = pytest.mark.django_db


def _run(capture) -> dict:
    with capture(execute=True):
        return retention.retention_run()


def _days(data_class: str) -> timedelta:
    return timedelta(days=settings.PRIVACY_RETENTION_DAYS[data_class])


def test_data_exports_go_with_their_archive_at_their_age(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    person, now = people.UserFactory(), timezone.now()
    old = DataExport.objects.create(subject=person, status=DataExport.Status.READY,
                                    created_at=now - _days("data_exports") - timedelta(hours=1))
    old.file.save("old.zip", ContentFile(b"archive"))
    young = DataExport.objects.create(subject=person, status=DataExport.Status.READY,
                                      created_at=now - _days("data_exports") + timedelta(days=1))
    building = DataExport.objects.create(subject=person, status=DataExport.Status.RUNNING,
                                         created_at=now - _days("data_exports") - timedelta(days=3))
    _run(django_capture_on_commit_callbacks)
    assert set(DataExport.objects.values_list("pk", flat=True)) == {young.pk, building.pk}
    assert not old.file.storage.exists(old.file.name)


def test_access_log_and_erasure_records_go_at_their_age(org, django_capture_on_commit_callbacks):
    now = timezone.now()
    AccessLogEntry.objects.create(organization=org, channel="page", what="hr.person",
                                   at=now - _days("access_log") - timedelta(hours=1))
    new_read = AccessLogEntry.objects.create(organization=org, channel="page", what="hr.person",
                                             at=now - _days("access_log") + timedelta(days=1))
    ErasureRecord.objects.create(requested_role="self",
                                              erased_at=now - _days("erasure_records") - timedelta(hours=1))
    new_record = ErasureRecord.objects.create(requested_role="self",
                                              erased_at=now - _days("erasure_records") + timedelta(days=1))
    _run(django_capture_on_commit_callbacks)
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [new_read.pk]
    assert list(ErasureRecord.objects.values_list("pk", flat=True)) == [new_record.pk]


def test_an_unknown_data_class_is_refused():
    with pytest.raises(ValueError, match="not a retention data class"):
        retention.retention_rule("everything", label="All", date_field="at")


def test_the_task_runs_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "lms.privacy_retention"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {settings.PRIVACY_RETENTION_HOUR}
