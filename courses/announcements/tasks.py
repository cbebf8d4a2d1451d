"""Announcement tasks: send the next batch of an announcement's mails."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.announcements.services import announcement_send_batch

TRANSIENT = (OperationalError,)


@shared_task(name="courses.announcement_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def announcement_send(announcement_id: int) -> int:
    return announcement_send_batch(announcement_id=announcement_id)
