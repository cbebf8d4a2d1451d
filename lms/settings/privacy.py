"""Privacy (lms/privacy/): how long each data class is kept, and how the retention task works through it.

Each data class's days come from ``PRIVACY_RETENTION_<CLASS>_DAYS``; two reuse an older setting instead:
the reminder log keeps REMINDER_LOG_RETENTION_DAYS, and report exports REPORTS_EXPORT_TTL_HOURS (in hours,
``PRIVACY_RETENTION_HOURS``). A value that is not a positive whole number refuses to start.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import env
from .reminders import REMINDER_LOG_RETENTION_DAYS
from .reports import REPORTS_EXPORT_TTL_HOURS

PRIVACY_RETENTION_DAYS: dict[str, int] = {
    "reminder_log": REMINDER_LOG_RETENTION_DAYS,
    "notification_log": env.int("PRIVACY_RETENTION_NOTIFICATION_LOG_DAYS", default=365),
    "certificate_events": env.int("PRIVACY_RETENTION_CERTIFICATE_EVENTS_DAYS", default=730),
    "webhook_deliveries": env.int("PRIVACY_RETENTION_WEBHOOK_DELIVERIES_DAYS", default=90),
    "report_audit": env.int("PRIVACY_RETENTION_REPORT_AUDIT_DAYS", default=365),
    "data_exports": env.int("PRIVACY_RETENTION_DATA_EXPORTS_DAYS", default=7),
    "recordings": env.int("PRIVACY_RETENTION_RECORDINGS_DAYS", default=90),
    "access_log": env.int("PRIVACY_RETENTION_ACCESS_LOG_DAYS", default=365),
    "xapi_outbox": env.int("PRIVACY_RETENTION_XAPI_OUTBOX_DAYS", default=30),
    "erasure_records": env.int("PRIVACY_RETENTION_ERASURE_RECORDS_DAYS", default=1825),
}
# Report exports were always kept in hours (their download links expire within the day).
PRIVACY_RETENTION_HOURS: dict[str, int] = {"report_exports": REPORTS_EXPORT_TTL_HOURS}
# The retention task (lms.privacy_retention): primary keys per batch (each deleted in its own short
# transaction), and the most batches one run takes per data class before it leaves the rest to the next run.
PRIVACY_RETENTION_BATCH = env.int("PRIVACY_RETENTION_BATCH", default=1000)
PRIVACY_RETENTION_MAX_BATCHES = env.int("PRIVACY_RETENTION_MAX_BATCHES", default=500)

for _name, _value in [*PRIVACY_RETENTION_DAYS.items(), *PRIVACY_RETENTION_HOURS.items(),
                      ("batch", PRIVACY_RETENTION_BATCH), ("max_batches", PRIVACY_RETENTION_MAX_BATCHES)]:
    if isinstance(_value, bool) or not isinstance(_value, int) or _value < 1:
        raise ImproperlyConfigured(f"Privacy retention: {_name} must be a positive whole number, not {_value!r}.")
