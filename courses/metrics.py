"""The courses app's gauges read at scrape time (see lms/metrics.py): one aggregate query each.

Each answers "is work piling up?": webhook deliveries waiting, xAPI statements waiting in the outbox,
reminders waiting, completions still without a certificate, and how long report exports take. Ages are in
seconds, 0 when nothing waits.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportExport, WebhookDelivery
from courses.reminders.models import ReminderLog
from courses.xapi.models import XapiStatement
from lms.metrics import metrics_source


def _age(since: datetime | None, now: datetime) -> float:
    return max((now - since).total_seconds(), 0.0) if since else 0.0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


@metrics_source("webhooks")
def webhook_backlog() -> Iterable[Metric]:
    now = timezone.now()
    row = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at"))
    yield _gauge("lms_webhook_deliveries_pending", "Webhook deliveries not yet delivered nor given up.",
                 row["count"])
    yield _gauge("lms_webhook_delivery_lag_seconds", "Age of the oldest pending webhook delivery.",
                 _age(row["oldest"], now))


@metrics_source("xapi")
def xapi_outbox() -> Iterable[Metric]:
    now = timezone.now()
    row = XapiStatement.objects.aggregate(
        pending=Count("id", filter=Q(status=XapiStatement.Status.PENDING)),
        failed=Count("id", filter=Q(status=XapiStatement.Status.FAILED)),
        oldest=Min("created_at", filter=Q(status=XapiStatement.Status.PENDING)))
    yield _gauge("lms_xapi_statements_pending", "xAPI statements in the outbox not yet accepted by their LRS.",
                 row["pending"])
    yield _gauge("lms_xapi_statements_failed", "xAPI statements their LRS refused for good (retry from the API).",
                 row["failed"])
    yield _gauge("lms_xapi_outbox_lag_seconds", "Age of the oldest xAPI statement still waiting to be sent.",
                 _age(row["oldest"], now))


@metrics_source("reminders")
def reminder_backlog() -> Iterable[Metric]:
    now = timezone.now()
    row = ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).aggregate(
        count=Count("id"), oldest_due=Min("not_before", filter=Q(not_before__lte=now)))
    yield _gauge("lms_reminders_pending", "Reminder log rows waiting to be sent.", row["count"])
    yield _gauge("lms_reminder_lag_seconds", "How long the oldest pending reminder has been due.",
                 _age(row["oldest_due"], now))


@metrics_source("certificates")
def certificate_backlog() -> Iterable[Metric]:
    now = timezone.now()
    row = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED, certificate__isnull=True).aggregate(
        count=Count("id"), oldest=Min("completed_at"))
    yield _gauge("lms_certificates_missing", "Completed enrollments without a certificate yet.", row["count"])
    yield _gauge("lms_certificate_issue_lag_seconds",
                 "Age of the oldest completion still without a certificate.", _age(row["oldest"], now))


@metrics_source("report-exports")
def report_exports() -> Iterable[Metric]:
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    finished = Q(started_at__isnull=False, finished_at__isnull=False,
                 status__in=[ReportExport.Status.DONE, ReportExport.Status.EXPIRED])
    row = ReportExport.objects.aggregate(
        done=Count("id", filter=finished), seconds=Sum(duration, filter=finished),
        active=Count("id", filter=Q(status__in=ReportExport.ACTIVE)),
    )
    total = row["seconds"].total_seconds() if row["seconds"] else 0.0
    summary = SummaryMetricFamily("lms_report_export_duration_seconds",
                                  "Time from start to finish of the report exports that finished.")
    summary.add_metric([], count_value=row["done"], sum_value=total)
    yield summary
    yield _gauge("lms_report_exports_active", "Report exports pending or running.", row["active"])
