"""xAPI tasks: send an organization's due statements (the outbox rows say what; the task only says "now")."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.xapi.services import outbox

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see


@shared_task(name="courses.xapi_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def xapi_send(organization_id: int) -> dict[str, int]:
    return outbox.xapi_outbox_send(organization_id=organization_id)
