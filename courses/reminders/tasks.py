"""Reminder tasks: the sweep (long queue) and the sends it fans out."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.reminders import services as reminders

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see



@shared_task(name="courses.long.reminders_sweep", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reminders_sweep() -> dict:
    return reminders.reminders_sweep()


@shared_task(name="courses.reminders_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def reminders_send(log_ids: list[int]) -> dict:
    return reminders.reminders_send(log_ids=[int(i) for i in log_ids])
