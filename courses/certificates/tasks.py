"""Certificate tasks: issue, render and mail, each taking an id and safe to run twice."""
from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from courses.certificates import services as certificate_services

logger = logging.getLogger(__name__)


TRANSIENT = (OperationalError,)


@shared_task(name="courses.certificate_issue", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_issue(enrollment_id: int) -> str | None:
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment_id, render=True)
    if certificate is None:
        return None
    logger.info("certificate %s issued for enrollment %s", certificate.code, enrollment_id)
    certificate_email.apply_async(args=[certificate.pk], retry=False)
    return certificate.code


@shared_task(name="courses.certificate_render", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_render(certificate_id: int) -> None:
    certificate_services.certificate_render(certificate_id=certificate_id)


@shared_task(name="courses.certificate_email", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def certificate_email(certificate_id: int) -> bool:
    sent = certificate_services.certificate_send_issue_email(certificate_id=certificate_id)
    logger.info("certificate %s: issue mail %s", certificate_id,
                "sent" if sent else "not sent (sent before, or not ready)")
    return sent
