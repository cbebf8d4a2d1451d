"""HR reports (courses/reports.py): the sync lag, exports and report webhooks."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, VAR_DIR, env

# The sync's margin for transactions in flight: rows stamped less than this before what the report
# database has replayed (now on a primary, the last replayed commit on a lagging standby) are held back,
# so a transaction that stamped updated_at but had not committed yet cannot slip behind a sync cursor.
REPORTS_SYNC_LAG_SECONDS = env.float("REPORTS_SYNC_LAG_SECONDS", default=5.0)
REPORTS_WORK_DIR = env.str("REPORTS_WORK_DIR", default=str(VAR_DIR / "exports-work"))
REPORTS_EXPORT_TTL_HOURS = env.int("REPORTS_EXPORT_TTL_HOURS", default=24)
REPORTS_DOWNLOAD_URL_TTL_SECONDS = env.int("REPORTS_DOWNLOAD_URL_TTL_SECONDS", default=3600)
REPORTS_WEBHOOK_RETRY_BASE_SECONDS = env.float("REPORTS_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
REPORTS_WEBHOOK_RETRY_MAX_SECONDS = env.float("REPORTS_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
REPORTS_WEBHOOK_RETRY_INLINE_MAX_SECONDS = 300.0  # longer waits are left to the reconciler
REPORTS_WEBHOOK_MAX_ATTEMPTS = env.int("REPORTS_WEBHOOK_MAX_ATTEMPTS", default=10)
REPORTS_WEBHOOK_DISABLE_AFTER = env.int("REPORTS_WEBHOOK_DISABLE_AFTER", default=25)
REPORTS_WEBHOOK_TIMEOUT_SECONDS = env.float("REPORTS_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
REPORTS_WEBHOOK_LOOKBACK_HOURS = env.int("REPORTS_WEBHOOK_LOOKBACK_HOURS", default=72)
# Exact host:port entries (e.g. 127.0.0.1:8123) a webhook may reach past the public-address rule of
# lms.outbound, over plain http too: test receivers only, so refused outside DEBUG. Empty by default.
WEBHOOKS_TEST_TARGETS = env.list("WEBHOOKS_TEST_TARGETS", default=[])
if WEBHOOKS_TEST_TARGETS and not DEBUG:
    raise ImproperlyConfigured("WEBHOOKS_TEST_TARGETS is for test receivers; it cannot be set with DEBUG off.")

# Role-play rater agreement (assessments/roleplays/agreement.py): the percentile bootstrap's resamples and
# seed, and the floor, cap and least number of compared criterion scores of the live calibration weight.
ROLEPLAY_AGREEMENT_RESAMPLES = env.int("ROLEPLAY_AGREEMENT_RESAMPLES", default=1000)
ROLEPLAY_AGREEMENT_SEED = env.int("ROLEPLAY_AGREEMENT_SEED", default=20261206)
ROLEPLAY_LIVE_WEIGHT_FLOOR = env.float("ROLEPLAY_LIVE_WEIGHT_FLOOR", default=0.25)
ROLEPLAY_LIVE_WEIGHT_CAP = env.float("ROLEPLAY_LIVE_WEIGHT_CAP", default=1.0)
ROLEPLAY_LIVE_MIN_PAIRS = env.int("ROLEPLAY_LIVE_MIN_PAIRS", default=12)
# The HR summary's rollup: the task refreshing it runs this often (the summary's staleness bound is about
# this plus one run), and a group built within HR_ROLLUP_SETTLE_SECONDS of its latest change is built again.
HR_ROLLUP_REFRESH_SECONDS = env.float("HR_ROLLUP_REFRESH_SECONDS", default=60.0)
HR_ROLLUP_SETTLE_SECONDS = env.float("HR_ROLLUP_SETTLE_SECONDS", default=120.0)
# Incremental sync (courses/hr_reports/services/sync.py): tombstones of deleted rows are kept this many days
# (a client whose cursor is older must sync again from the beginning); the clock task moves the sync key of
# rows whose overdue flag or certificate status changed with time, this often.
REPORTS_TOMBSTONE_RETENTION_DAYS = env.int("REPORTS_TOMBSTONE_RETENTION_DAYS", default=90)
REPORTS_SYNC_CLOCK_EVERY_SECONDS = env.float("REPORTS_SYNC_CLOCK_EVERY_SECONDS", default=300.0)
REPORTS_SYNC_CLOCK_BATCH = 5000  # rows per UPDATE

# 360° feedback on leaders (assessments/leadership/): a new cycle's default minimum of answers per source.
LEADERSHIP_MINIMUM_RATERS = env.int("LEADERSHIP_MINIMUM_RATERS", default=3)
