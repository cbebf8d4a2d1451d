"""The courses app's retention rules (lms/privacy/retention.py): how long its logs and exports are kept.

Found by ``autodiscover_modules("retention")``. Each rule returns the rows of one model that have expired
at the cutoff its data class's days give (lms/settings/privacy.py); the engine removes them in batches.
"""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from courses.announcements.models import AnnouncementDelivery
from courses.certificates.models import CertificateEvent
from courses.hr_reports.models import ReportAuditEntry, ReportExport, WebhookDelivery
from courses.reminders import log_storage
from courses.reminders.models import ReminderLog
from courses.reminders.services.log import reminder_log_maintain
from courses.workshops.models import SessionMessageDelivery, WorkshopEmail
from courses.xapi.models import XapiStatement
from lms.privacy.retention import retention_cutoff, retention_rule, retention_rule_by_age


def _reminder_log_purge(now: datetime.datetime) -> int:
    """The reminder log keeps its own upkeep: whole monthly partitions are dropped (rows deleted on SQLite)."""
    expired = reminder_log_expired(retention_cutoff("reminder_log", now=now)).count()
    reminder_log_maintain(now=now)
    return expired


@retention_rule("reminder_log", label=_("Reminder log"), date_field="created_at", purge=_reminder_log_purge)
def reminder_log_expired(cutoff: datetime.datetime) -> QuerySet:
    """Dated periods whose month ends a day before the cutoff's month begins (log_storage.expired_before);
    "once" rows stay for as long as the reminder could be due again."""
    before = log_storage.month_of((cutoff - datetime.timedelta(days=1)).date())
    return ReminderLog.objects.exclude(period_month=log_storage.TIMELESS).filter(period_month__lt=before)


retention_rule_by_age("notification_log", WorkshopEmail, label=_("Workshop e-mails"), date_field="created_at")
retention_rule_by_age("notification_log", SessionMessageDelivery, label=_("Session message deliveries"),
                      date_field="created_at")
retention_rule_by_age("notification_log", AnnouncementDelivery, label=_("Announcement deliveries"),
                      date_field="created_at")
retention_rule_by_age("certificate_events", CertificateEvent, label=_("Certificate events"), date_field="at")


@retention_rule("webhook_deliveries", label=_("Webhook deliveries"), date_field="created_at")
def webhook_deliveries_expired(cutoff: datetime.datetime) -> QuerySet:
    """Finished deliveries only: a pending one is still owed to its endpoint."""
    finished = [WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED]
    return WebhookDelivery.objects.filter(status__in=finished, created_at__lt=cutoff)


retention_rule_by_age("report_audit", ReportAuditEntry, label=_("Report audit log"), date_field="at")


@retention_rule("report_exports", label=_("Report exports"), date_field="created_at", file_fields=["file"])
def report_exports_expired(cutoff: datetime.datetime) -> QuerySet:
    """Exports that ended (done, expired, failed) REPORTS_EXPORT_TTL_HOURS ago: the hourly cleanup has
    already deleted a done export's file at that age (and marked it expired); here the row goes too, with
    any file left."""
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return ReportExport.objects.exclude(status__in=ReportExport.ACTIVE).filter(ended)


@retention_rule("xapi_outbox", label=_("Sent xAPI statements"), date_field="sent_at")
def xapi_outbox_expired(cutoff: datetime.datetime) -> QuerySet:
    """Statements the LRS has taken; pending and failed ones stay for the outbox and its operators."""
    return XapiStatement.objects.filter(status=XapiStatement.Status.SENT, sent_at__lt=cutoff)
