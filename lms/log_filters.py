"""Keep credentials out of logs and error reports, as a last line of defence.

The first line is not to log them: views and services that hold a password, token, API key or
signing secret are marked with ``sensitive_variables`` / ``sensitive_post_parameters`` so Django's
error reporter leaves them out. What slips past that (a header quoted in an exception message, a
secret in a URL path of a 404 warning) is masked here:

- ``RedactSecretsFilter`` on every handler in LOGGING rewrites a record's message and traceback;
- ``RedactingExceptionReporter`` (DEFAULT_EXCEPTION_REPORTER) masks the same in the report Django
  mails to ADMINS or shows for a 500.
"""
from __future__ import annotations

import logging
import re

from django.views.debug import ExceptionReporter

MASK = "[redacted]"

# Field and variable names whose values are credentials (a list of names, not a password).
_SECRET_NAMES = "|".join([
    r"password\d?", r"new_password\d", "old_password", "passwd", "secret", "signing_secret", "api_key", "apikey",
    "access_token", "refresh_token", "token", "sessionid", "csrftoken", "csrfmiddlewaretoken",
])

_QUOTE = r"['\"]|&#x27;|&quot;|&#39;"

_RULES: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers however they are quoted: "Authorization: Api-Key abc", HTTP_AUTHORIZATION='Token abc'.
    (re.compile(r"((?:HTTP_)?(?:PROXY_)?AUTHORIZATION['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+", re.I), r"\1" + MASK),
    # Credentials after their scheme, wherever they appear.
    (re.compile(r"\b(Api-Key|Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + MASK),
    # Cookie headers: every value.
    (re.compile(r"((?:HTTP_)?(?:SET_)?COOKIE['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n}]+", re.I), r"\1" + MASK),
    (re.compile(r"((?:Set-)?Cookie:\s*)[^\r\n]+", re.I), r"\1" + MASK),
    # name=value and "name": "value" pairs whose name says secret (quotes may be HTML-escaped, as in
    # the HTML error report).
    (re.compile(rf"((?:{_QUOTE})?\b(?:{_SECRET_NAMES})\b(?:{_QUOTE})?\s*[:=]\s*\[?)({_QUOTE})(?!\*{{20}})"
                rf"(?:(?!{_QUOTE}).)*\2", re.I),
     r"\1\2" + MASK + r"\2"),
    (re.compile(rf"(\b(?:{_SECRET_NAMES})=)(?!\*{{20}})[^&\s;'\",]+", re.I), r"\1" + MASK),
    # URL paths whose segment is the credential (password reset links, calendar feeds, unsubscribe links).
    (re.compile(r"(/password-reset/[^/\s'\"]+/)(?!set-password/)[^/\s'\"?]+"), r"\1" + MASK),
    (re.compile(r"(/feed/)[^/\s'\"?]+(\.ics)"), r"\1" + MASK + r"\2"),
    (re.compile(r"(/unsubscribe/)[^/\s'\"?]+"), r"\1" + MASK),
]


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Masks credentials in a record's message, traceback and stack before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the formatter's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingExceptionReporter(ExceptionReporter):
    """Django's error report (mailed to ADMINS, or the DEBUG page) with the same masking."""

    def get_traceback_text(self):
        return redact(super().get_traceback_text())

    def get_traceback_html(self):
        return redact(super().get_traceback_html())
