"""Log lines in the two formats: text for a person at a terminal (``LOG_FORMAT=plain``) and one JSON
object per line (``LOG_FORMAT=json``) for log collectors that index fields.

A plain line reads ``time level logger [request id] message``; the bracketed id appears only inside a
request or a task, so a line can be matched with the ``X-Request-ID`` a user reports.

Each line holds ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message`` and ``request_id`` (null
outside a request or task; lms/request_ids.py), ``task_id`` and ``task_name`` inside a Celery task, and
``exception`` (the traceback text) when the record carries one. The message and traceback are the ones the handler's
``redact_secrets`` filter already masked: this formatter never formats ``exc_info`` again once the
filter has set ``exc_text``.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from lms.request_ids import request_id_var, task_id_var, task_name_var


def _request_id_of(record: logging.LogRecord) -> str | None:
    """The id of the request a record names (Django logs a request's 4xx/5xx answer after the middleware
    that holds the id has returned, with ``extra={"request": request}``)."""
    return getattr(getattr(record, "request", None), "request_id", None)


def _current_request_id(record: logging.LogRecord) -> str | None:
    return request_id_var.get() or _request_id_of(record)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = _current_request_id(record)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _current_request_id(record),
        }
        task_id = task_id_var.get()
        if task_id is not None:
            entry["task_id"] = task_id
            entry["task_name"] = task_name_var.get()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
