"""Celery: the broker, reliability settings, the beat schedule, and the health check's worker wait.

Named ``tasks`` rather than ``celery`` so that it never stands in for the celery package.
"""
from __future__ import annotations

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .base import VAR_DIR, env

# The database is the source of truth; a task only nudges work along, and the reconciler
# (lms/reconciler.py) finds whatever a lost task left undone.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control", "broken"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(_broker_dir / "queue"),
            "data_folder_out": str(_broker_dir / "queue"),
            "processed_folder": str(_broker_dir / "processed"),
            "control_folder": str(_broker_dir / "control"),
            "broken_folder": str(_broker_dir / "broken"),
            "store_processed": False,
        }
    )
    # kombu's filesystem transport, writing each message whole before a worker can see it (lms/filesystem_broker.py).
    CELERY_BROKER_TRANSPORT = "lms.filesystem_broker:Transport"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Both limits stay below the visibility timeout, so a message is never handed to a second
# worker while the first is still allowed to run it.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "reconcile": {"task": "lms.reconcile", "schedule": env.float("RECONCILE_EVERY_SECONDS", default=300.0)},
}
CELERY_BEAT_SCHEDULE["reports-cleanup"] = {
    "task": "courses.reports_cleanup", "schedule": env.float("REPORTS_CLEANUP_EVERY_SECONDS", default=3600.0),
}
CELERY_BEAT_SCHEDULE["hr-rollup-refresh"] = {
    "task": "courses.hr_rollup_refresh", "schedule": env.float("HR_ROLLUP_REFRESH_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["reports-sync-clock"] = {  # overdue and certificate expiry move report rows' sync key
    "task": "courses.reports_sync_clock", "schedule": env.float("REPORTS_SYNC_CLOCK_EVERY_SECONDS", default=300.0),
}
# Privacy retention (lms/privacy/retention.py): every data class past its days, nightly at this UTC hour.
PRIVACY_RETENTION_HOUR = env.int("PRIVACY_RETENTION_HOUR", default=3)
if not 0 <= PRIVACY_RETENTION_HOUR <= 23:
    raise ImproperlyConfigured("PRIVACY_RETENTION_HOUR must be an hour of the day, 0 to 23.")
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "lms.privacy_retention", "schedule": crontab(minute=17, hour=PRIVACY_RETENTION_HOUR),
}
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=5.0)
# The readiness probe answers from its last check for this long (per web process), so a load balancer
# polling it every second costs the database and the broker at most one check each per period.
HEALTH_READY_CACHE_SECONDS = env.float("HEALTH_READY_CACHE_SECONDS", default=2.0)
# Role-play escalation: after the peers' step (twice the scenario's review_days: one period to be allocated,
# one to review), each later step (supervisor, instructors, organization admins) lasts this many days.
ROLEPLAY_ESCALATION_STEP_DAYS = env.int("ROLEPLAY_ESCALATION_STEP_DAYS", default=3)
