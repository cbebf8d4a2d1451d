"""Logging (every handler masks credentials), the exception reporter, and who is mailed errors.

Named ``logs`` rather than ``logging`` so that it never stands in for the standard library module.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import env

# `plain` (one line of text per record, the request id in brackets inside a request or task) or `json`
# (one JSON object per line, lms/log_format.py). lms/request_ids.py follows the id from a web request into
# its Celery tasks.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}.")

# Every handler masks credentials that slip into a message (lms/log_filters.py). Django's own "django"
# logger is given the same masked mail handler instead of its defaults, and propagates to the console.
# SQL logging stays at WARNING whatever LOG_LEVEL says: statements carry token digests and session data;
# template logging stays at INFO (see below).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "lms.log_filters.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"()": "lms.log_format.PlainFormatter"},
        "json": {"()": "lms.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_secrets"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false", "redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG it dumps whole template contexts (requests, forms, error-report frames) into the log.
        "django.template": {"level": "INFO"},
    },
}
DEFAULT_EXCEPTION_REPORTER = "lms.log_filters.RedactingExceptionReporter"
ADMINS = [("Operations", address) for address in env.list("ADMINS", default=[])]
