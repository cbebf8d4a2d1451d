"""Reading what the configured console handler writes, in the JSON format (LOG_FORMAT=json).

The handler is the one Django configured from lms/settings/logs.py, masking filter included; only its
formatter (the JSON one, as LOG_FORMAT=json chooses) and its stream (a buffer) are swapped while a
test runs.
"""
from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from lms.log_format import JsonFormatter


class JsonLog:
    def __init__(self, handler: logging.StreamHandler) -> None:
        self.handler = handler
        self.buffer = io.StringIO()
        self.lock = threading.Lock()  # the in-thread worker logs from its own thread

    def text(self) -> str:
        with self.lock:
            return self.buffer.getvalue()

    def lines(self) -> list[dict]:
        """Every line written so far, each parsed as one JSON object (a line that is not fails the test)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def clear(self) -> None:
        with self.lock:
            self.buffer.seek(0)
            self.buffer.truncate()


class _LockedStream(io.TextIOBase):
    def __init__(self, log: JsonLog) -> None:
        self.log = log

    def write(self, text: str) -> int:
        with self.log.lock:
            return self.log.buffer.write(text)


def console_handler() -> logging.StreamHandler:
    found = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    assert len(found) == 1, f"expected the one configured console handler on the root logger, found {found}"
    handler = found[0]
    assert isinstance(handler, logging.StreamHandler)
    return handler


@contextmanager
def json_console_log(level: int = logging.INFO) -> Iterator[JsonLog]:
    handler, root = console_handler(), logging.getLogger()
    log = JsonLog(handler)
    previous_formatter, previous_level = handler.formatter, root.level
    previous_stream = handler.setStream(_LockedStream(log))
    handler.setFormatter(JsonFormatter())
    root.setLevel(level)
    try:
        yield log
    finally:
        handler.setFormatter(previous_formatter)
        if previous_stream is not None:
            handler.setStream(previous_stream)
        root.setLevel(previous_level)
