"""xAPI (courses/xapi): statements sent from the outbox to each organization's LRS."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, env

XAPI_BATCH_SIZE = env.int("XAPI_BATCH_SIZE", default=50)  # statements per POST
XAPI_RETRY_BASE_SECONDS = env.float("XAPI_RETRY_BASE_SECONDS", default=30.0)
XAPI_RETRY_MAX_SECONDS = env.float("XAPI_RETRY_MAX_SECONDS", default=6 * 3600.0)
XAPI_RETRY_INLINE_MAX_SECONDS = 300.0  # longer waits are left to the reconciler
XAPI_MAX_ATTEMPTS = env.int("XAPI_MAX_ATTEMPTS", default=12)
XAPI_TIMEOUT_SECONDS = env.float("XAPI_TIMEOUT_SECONDS", default=15.0)
# Exact host:port entries (e.g. 127.0.0.1:8100) an LRS endpoint may use past the public-address rule of
# lms.outbound, over plain http too: test LRSs only, so refused outside DEBUG. Empty by default.
XAPI_TEST_TARGETS = env.list("XAPI_TEST_TARGETS", default=[])
if XAPI_TEST_TARGETS and not DEBUG:
    raise ImproperlyConfigured("XAPI_TEST_TARGETS is for test LRSs; it cannot be set with DEBUG off.")
