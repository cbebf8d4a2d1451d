"""How a batch of reminders reaches the mail server: one connection for the batch, and what a
refusal or a broken connection means for the message (permanent or worth a retry)."""
from __future__ import annotations

import logging
import secrets
import smtplib
import sys
from email.generator import BytesGenerator
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

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


# A header line this short needs no folding (RFC 5322 recommends 78 characters).
_FOLD_AT = 78


class _ReminderGenerator(BytesGenerator):
    """Django's ``as_bytes`` generator, minus two costs that dominate a small message: every header went
    through ``email.header.Header``'s folding, and every boundary compiled a fresh regular expression to
    check the parts do not contain it. The bytes are the same: a header that already is one short ASCII
    line is what the folding returns unchanged, and a boundary is still never one the parts contain."""

    # What the standard generator keeps while it writes (its type stubs do not name them).
    _fp: Any
    _NL: str
    _encoded_NL: bytes
    policy: Any

    def _write_headers(self, msg) -> None:
        for name, value in msg.raw_items():
            line = f"{name}: {value}" if isinstance(value, str) else ""
            if line and len(line) <= _FOLD_AT and line.isascii() and "\n" not in line and "\r" not in line:
                self._fp.write(line.encode("ascii") + self._encoded_NL)
            else:
                self._fp.write(self.policy.fold_binary(name, value))
        self.write(self._NL)

    @classmethod
    def _make_boundary(cls, text=None) -> str:
        # The standard boundary's form; a plain substring test is stricter than the standard "--boundary
        # alone on a line", so just as safe.
        base = boundary = f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}=="
        counter = 0
        while text is not None and b"--" + boundary.encode("ascii") in text:
            boundary = f"{base}.{counter}"
            counter += 1
        return boundary


def message_bytes(email) -> bytes:
    """``email.message().as_bytes(linesep="\\r\\n")``, the bytes Django's SMTP backend sends, built cheaper."""
    out = BytesIO()
    _ReminderGenerator(out, mangle_from_=False).flatten(email.message(), linesep="\r\n")
    return out.getvalue()


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


def smtp_live(backend) -> bool:
    """True when ``backend`` is Django's SMTP backend with its connection open (the batch's fast path)."""
    return isinstance(backend, SMTPBackend) and backend.connection is not None


def smtp_envelope(backend, email) -> bytes:
    """``email``'s bytes, after handing the server its envelope (MAIL FROM, RCPT TO) on the open
    connection, as Django's SMTP backend and ``smtplib.sendmail`` would; ``smtp_data`` sends the bytes.
    The envelope is no message: a server that never gets the DATA delivers nothing, so this may run
    before the message's claim is committed, while the bytes wait for it."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(email.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in email.recipients()]
    data = message_bytes(email)
    smtp = backend.connection
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, answer = smtp.mail(sender, options)
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    refused = {}
    for recipient in recipients:
        code, answer = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, answer)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _reset_or_close(smtp, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    return data


def smtp_data(backend, data: bytes) -> None:
    """Hand the message over (DATA) after ``smtp_envelope``; raises as ``smtplib.sendmail`` would."""
    smtp = backend.connection
    code, answer = smtp.data(data)
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, answer)


def smtp_abandon(backend) -> None:
    """Forget an envelope whose message will not be sent (its claim was lost): RSET, quietly."""
    try:
        backend.connection.rset()
    except (smtplib.SMTPException, OSError, AttributeError):
        smtp_close_quietly(backend)


def _reset_or_close(smtp, code: int) -> None:
    """After a refusal, as ``smtplib.sendmail`` does: RSET (quietly), or close on 421."""
    try:
        smtp.close() if code == 421 else smtp.rset()
    except (smtplib.SMTPException, OSError):
        smtp.close()
