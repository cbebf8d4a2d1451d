"""Workshop tasks: send one logged workshop email."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.workshops.services.mail import workshop_email_send as send

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see



@shared_task(name="courses.workshop_email_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def workshop_email_send(email_id: int) -> bool:
    return send(email_id=email_id)
