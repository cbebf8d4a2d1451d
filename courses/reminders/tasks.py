"""Reminder tasks: the sweep's plan and the per-organization sweeps (long queue), the sends they fan out,
and the log's daily upkeep (long queue)."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from courses.reminders import services as reminders
from courses.reminders.services import log as reminder_log

TRANSIENT = (OperationalError,)  # retried with backoff; anything else is a bug to see



@shared_task(name="courses.long.reminders_sweep", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reminders_sweep() -> dict:
    return reminder_log.reminders_sweep_plan()


@shared_task(name="courses.long.reminders_sweep_organization", autoretry_for=TRANSIENT, retry_backoff=True,
             max_retries=3)
def reminders_sweep_organization(organization_id: int | None) -> dict:
    return reminders.reminders_sweep(organization_ids=[None if organization_id is None else int(organization_id)])


@shared_task(name="courses.long.reminder_log_maintain", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reminder_log_maintain() -> dict:
    return reminder_log.reminder_log_maintain()


@shared_task(name="courses.reminders_send", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def reminders_send(log_ids: list[int]) -> dict:
    return reminders.reminders_send(log_ids=[int(i) for i in log_ids])
