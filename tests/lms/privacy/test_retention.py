"""Retention with the clock moved: each data class goes at its age and not a day before; batches are bounded;
a rule only takes what has ended; recordings lose their file and keep the performance."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.roleplays.models import Performance
from courses.certificates.models import CertificateEvent
from courses.hr_reports.models import ReportExport, WebhookDelivery
from courses.reminders.models import ReminderLog
from courses.xapi.models import XapiStatement
from lms.privacy import retention
from lms.tasks import privacy_retention
from tests.lms.privacy.retention_world import Parents, recording

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moment = Clock(T0)
    monkeypatch.setattr(timezone, "now", moment)
    return moment


@pytest.fixture
def parents(org) -> Parents:
    return Parents(org)


# data class, how a row of it is made at a moment, and its default period
MAKERS = {
    "notification_log": ["workshop_email", "session_message_delivery", "announcement_delivery"],
    "certificate_events": ["certificate_event"],
    "webhook_deliveries": ["webhook_delivery"],
    "report_audit": ["report_audit"],
    "report_exports": ["report_export"],
    "xapi_outbox": ["xapi_statement"],
}
DEFAULT_PERIODS = {"notification_log": timedelta(days=365), "certificate_events": timedelta(days=730),
                   "webhook_deliveries": timedelta(days=90), "report_audit": timedelta(days=365),
                   "report_exports": timedelta(hours=24), "xapi_outbox": timedelta(days=30)}


def _exists(row) -> bool:
    return type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("data_class", list(MAKERS))
def test_each_class_goes_at_its_age_and_not_a_day_before(clock, parents, data_class):
    rows = [getattr(parents, maker)(T0) for maker in MAKERS[data_class]]
    period = DEFAULT_PERIODS[data_class]
    assert retention.retention_period(data_class) == period
    early = min(DAY, period / 2)  # report exports live hours: "before" is half their period

    clock.moment = T0 + period - early
    report = privacy_retention()
    assert all(_exists(row) for row in rows), "removed before its time"
    assert report[data_class]["rows"] == 0

    clock.moment = T0 + period + timedelta(minutes=1)
    report = privacy_retention()
    assert not any(_exists(row) for row in rows)
    assert report[data_class]["rows"] == len(rows)


def test_a_report_exports_file_goes_with_its_row(clock, parents, django_capture_on_commit_callbacks):
    export = parents.report_export(T0)
    name = export.file.name
    assert default_storage.exists(name)
    clock.moment = T0 + timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        retention.retention_run()
    assert not ReportExport.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(name)


def test_work_still_owed_is_never_removed(clock, parents):
    """A pending webhook delivery, a running export and a statement not yet sent stay, however old."""
    pending = parents.webhook_delivery(T0, status="pending")
    running = parents.report_export(T0, status="running")
    unsent = parents.xapi_statement(T0, status="pending")
    clock.moment = T0 + timedelta(days=3000)
    retention.retention_run()
    assert _exists(pending) and _exists(running) and _exists(unsent)
    assert WebhookDelivery.objects.get(pk=pending.pk).status == "pending"


def test_the_reminder_log_drops_whole_months_past_its_retention(clock, parents, settings):
    """The reminder log's own upkeep runs: a dated period's month goes once the month after it is past
    REMINDER_LOG_RETENTION_DAYS (and a day); "once" rows stay."""
    dated = parents.reminder("2026-03-10")
    once = parents.reminder("once")
    days = settings.REMINDER_LOG_RETENTION_DAYS
    assert settings.PRIVACY_RETENTION_DAYS["reminder_log"] == days
    gone_at = datetime(2026, 4, 1, tzinfo=UTC) + timedelta(days=days + 1)

    clock.moment = gone_at - DAY
    assert retention.retention_run()["reminder_log"]["rows"] == 0
    assert _exists(dated)

    clock.moment = gone_at
    assert retention.retention_run()["reminder_log"]["rows"] == 1
    assert not ReminderLog.objects.filter(pk=dated.pk).exists()
    assert ReminderLog.objects.filter(pk=once.pk).exists()


def test_batches_are_bounded_and_each_is_one_delete(clock, parents, settings):
    CertificateEvent.objects.bulk_create(
        CertificateEvent(certificate=parents.certificate, kind="rendered", at=T0) for _ in range(2500))
    settings.PRIVACY_RETENTION_BATCH = 1000
    clock.moment = T0 + timedelta(days=731)
    with CaptureQueriesContext(connection) as queries:
        report = retention.retention_run()
    table = CertificateEvent._meta.db_table
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE") and table in q["sql"]]
    assert report["certificate_events"] == {"rows": 2500, "batches": 3, "failed": 0}
    assert len(deletes) == 3
    assert not CertificateEvent.objects.exists()


def test_a_run_stops_at_its_cap_and_the_next_run_goes_on(clock, parents):
    CertificateEvent.objects.bulk_create(
        CertificateEvent(certificate=parents.certificate, kind="rendered", at=T0) for _ in range(25))
    clock.moment = T0 + timedelta(days=731)
    first = retention.retention_run(batch=10, max_batches=2)
    assert first["certificate_events"]["rows"] == 20
    assert CertificateEvent.objects.count() == 5
    assert retention.retention_run(batch=10, max_batches=2)["certificate_events"]["rows"] == 5
    assert not CertificateEvent.objects.exists()


def test_recordings_lose_their_file_and_keep_the_performance(clock, org, django_capture_on_commit_callbacks):
    old = recording(org, scored_at=T0)
    in_review = recording(org, scored_at=None)
    name, transcript = old.media.name, old.transcript
    assert default_storage.exists(name)

    clock.moment = T0 + timedelta(days=89)
    retention.retention_run()
    assert Performance.objects.get(pk=old.pk).media.name == name
    assert default_storage.exists(name)

    clock.moment = T0 + timedelta(days=90, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.retention_run()
    assert report["recordings"]["rows"] == 1
    kept = Performance.objects.get(pk=old.pk)
    assert not kept.media and kept.media_type == "" and kept.media_size == 0
    assert not default_storage.exists(name)
    assert kept.transcript == transcript and kept.status == Performance.Status.SCORED
    assert kept.final_score == old.final_score
    assert Performance.objects.get(pk=in_review.pk).media.name == in_review.media.name


def test_the_preview_counts_what_the_next_run_removes(clock, parents):
    old, new = parents.xapi_statement(T0), parents.xapi_statement(T0 + timedelta(days=20))
    clock.moment = T0 + timedelta(days=31)
    preview = {p.rule.model._meta.label: p for p in retention.retention_preview()}
    xapi = preview["courses.XapiStatement"]
    assert (xapi.count, xapi.oldest, xapi.cutoff) == (1, T0, clock.moment - timedelta(days=30))
    retention.retention_run()
    assert not _exists(old) and XapiStatement.objects.filter(pk=new.pk).exists()
    assert {p.rule.data_class for p in retention.retention_preview()} >= {
        "reminder_log", "notification_log", "certificate_events", "webhook_deliveries", "report_audit",
        "report_exports", "recordings", "xapi_outbox"}


def test_a_link_to_a_recording_kept_elsewhere_is_removed_with_the_recordings(clock, org):
    linked = recording(org, scored_at=T0, link="https://video.example/take")
    Performance.objects.filter(pk=linked.pk).update(media="", media_type="", media_size=0)  # a link alone
    clock.moment = T0 + timedelta(days=89)
    retention.retention_run()
    assert Performance.objects.get(pk=linked.pk).link == "https://video.example/take"
    clock.moment = T0 + timedelta(days=90, minutes=1)
    assert retention.retention_run()["recordings"]["rows"] == 1
    kept = Performance.objects.get(pk=linked.pk)
    assert kept.link == "" and kept.status == Performance.Status.SCORED and kept.transcript == linked.transcript
