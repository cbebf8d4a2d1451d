"""HR report tasks: run an export (long queue), clean up old exports, deliver a webhook."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.hr_reports.services import exports as report_services
from courses.hr_reports.services import rollup, webhooks
from courses.hr_reports.services import sync as sync_services

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see



# Exports run on the long queue (lms/celery.py routes "*.long.*" there).
@shared_task(name="courses.long.report_export_run", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5,
             soft_time_limit=50 * 60, time_limit=55 * 60)
def report_export_run(export_id: int) -> int | None:
    export = report_services.report_export_run(export_id=export_id)
    return export.rows_done if export else None


@shared_task(name="courses.reports_cleanup")
def reports_cleanup() -> int:
    return report_services.exports_cleanup()


@shared_task(name="courses.reports_sync_clock", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reports_sync_clock() -> int:
    """Beat (lms/settings/tasks.py): overdue and certificate expiry move the report rows' sync key."""
    return sync_services.sync_clock_tick()


@shared_task(name="courses.webhook_deliver", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def webhook_deliver(delivery_id: int) -> str:
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="courses.hr_rollup_refresh", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def hr_rollup_refresh() -> int:
    """The HR summary's rollup: rebuild the (organization, course) groups that changed since their build."""
    return rollup.rollup_refresh()
