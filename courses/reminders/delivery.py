"""How a batch of reminders reaches the mail server: one connection for the batch, and what a
refusal or a broken connection means for the message (permanent or worth a retry)."""
from __future__ import annotations

import logging
import smtplib

from django.core.mail import get_connection

logger = logging.getLogger(__name__)


def smtp_failure(exc: Exception) -> tuple[bool, str]:
    """(permanent?, description). 5xx answers are permanent; 4xx, dropped connections and timeouts are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                           for code, msg in exc.recipients.values())
        return all(500 <= code < 600 for code in codes), detail
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return 500 <= exc.smtp_code < 600, f"{exc.smtp_code} {message}"
    return False, f"{type(exc).__name__}: {exc}"


def smtp_open():
    """One connection for the whole batch (the backend would otherwise open one per message). If it
    cannot open now, each send tries again and its failure is handled like any other."""
    smtp = get_connection()
    try:
        smtp.open()
    except (smtplib.SMTPException, OSError):
        logger.warning("could not connect to the mail server", exc_info=True)
    return smtp


def smtp_close_quietly(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # noqa: S110 - a connection that is already broken has nothing left to close
        pass
