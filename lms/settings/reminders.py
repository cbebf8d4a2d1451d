"""Reminder mail: workshop reminders, the reminder batches and retries, the deep link they carry."""
from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

from .base import env

# Workshop reminders go out this many hours before a session starts (the reminders issue sends them).
WORKSHOP_REMINDER_HOURS = env.list("WORKSHOP_REMINDER_HOURS", cast=float, default=[24.0, 1.0])
# Reminders (courses/reminders): see README "Reminders".
REMINDER_SEND_BATCH = env.int("REMINDER_SEND_BATCH", default=50)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=5000)
REMINDER_RETRY_BACKOFF_SECONDS = env.float("REMINDER_RETRY_BACKOFF_SECONDS", default=60.0)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# How long the reminder log keeps a dated period's rows (whole months; "once" rows stay). Policies go up
# to 365 days, so a reminder can become due up to a year after its period: shorter would skip some.
REMINDER_LOG_RETENTION_DAYS = env.int("REMINDER_LOG_RETENTION_DAYS", default=400)
if REMINDER_LOG_RETENTION_DAYS < 366:
    raise ImproperlyConfigured("REMINDER_LOG_RETENTION_DAYS must be at least 366 (a policy's days go up to 365).")
# PostgreSQL's work_mem for the sweep's statements (SET LOCAL in its transaction): the anti-join hashes the
# log's rows of a kind, which at a million enrollments needs tens of MB; the default 4MB spills it to disk.
REMINDER_SWEEP_WORK_MEM = env.str("REMINDER_SWEEP_WORK_MEM", default="64MB")
if not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB)", REMINDER_SWEEP_WORK_MEM):
    raise ImproperlyConfigured("REMINDER_SWEEP_WORK_MEM is a PostgreSQL memory size such as 64MB (kB, MB or GB).")
# The periodic sweep reads only what came due since its last run of a kind (courses/reminders/services/
# sweep_marks.py); a full sweep, which also logs what a change that stamps no enrollment made due, runs at
# least this often (hours; 0: every sweep is full).
REMINDER_FULL_SWEEP_HOURS = env.float("REMINDER_FULL_SWEEP_HOURS", default=24.0)
if REMINDER_FULL_SWEEP_HOURS < 0:
    raise ImproperlyConfigured("REMINDER_FULL_SWEEP_HOURS is a number of hours, 0 or more (0: every sweep is full).")
LEARNER_ACTIVITY_URL = env.str("LEARNER_ACTIVITY_URL", default="")
