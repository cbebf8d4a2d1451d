"""Workshop tasks: send one logged workshop email, or one logged delivery of a session message."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.workshops.services.mail import workshop_email_send as send
from courses.workshops.services.messages import session_message_deliver as deliver

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see



@shared_task(name="courses.workshop_email_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def workshop_email_send(email_id: int) -> bool:
    return send(email_id=email_id)


@shared_task(name="courses.workshop_message_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def workshop_message_send(delivery_id: int) -> bool:
    return deliver(delivery_id=delivery_id)
