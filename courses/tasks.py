"""Celery tasks of the courses app: thin, id-taking, safe to run twice (GUIDE §2)."""
from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from courses.services import certificates as certificate_services

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError,)


@shared_task(name="courses.certificate_issue", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_issue(enrollment_id: int) -> str | None:
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment_id)
    if certificate is None:
        return None
    certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate_email.apply_async(args=[certificate.pk], retry=False)
    return certificate.code


@shared_task(name="courses.certificate_render", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_render(certificate_id: int) -> None:
    certificate_services.certificate_render(certificate_id=certificate_id)


@shared_task(name="courses.certificate_email", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_email(certificate_id: int) -> bool:
    return certificate_services.certificate_send_issue_email(certificate_id=certificate_id)


@shared_task(name="courses.workshop_email_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def workshop_email_send(email_id: int) -> bool:
    from courses.services.workshop_mail import workshop_email_send as send

    return send(email_id=email_id)
# Exports run on the long queue (lms/celery.py routes "*.long.*" there).
@shared_task(name="courses.long.report_export_run", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5,
             soft_time_limit=50 * 60, time_limit=55 * 60)
def report_export_run(export_id: int) -> int | None:
    from courses.services import reports as report_services

    export = report_services.report_export_run(export_id=export_id)
    return export.rows_done if export else None


@shared_task(name="courses.reports_cleanup")
def reports_cleanup() -> int:
    from courses.services import reports as report_services

    return report_services.exports_cleanup()


@shared_task(name="courses.webhook_deliver", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def webhook_deliver(delivery_id: int) -> str:
    from courses.services import webhooks

    return webhooks.webhook_deliver(delivery_id=delivery_id)
# --- reminders ------------------------------------------------------------------------------------
# The sweep runs on the long queue (its name matches "*.long.*"); sends are short and stay on default.

@shared_task(name="courses.long.reminders_sweep", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reminders_sweep() -> dict:
    from courses.services import reminders

    return reminders.reminders_sweep()


@shared_task(name="courses.reminders_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def reminders_send(log_ids: list[int]) -> dict:
    from courses.services import reminders

    return reminders.reminders_send(log_ids=[int(i) for i in log_ids])
