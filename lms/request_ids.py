"""The request id: one per web request, carried into every Celery task the request enqueues and from
a task into the tasks it enqueues in turn, so the log lines of all of them can be found together.

The web side (``lms.middleware.RequestIdMiddleware``) sets it for the duration of a request. On the
way out, ``before_task_publish`` copies it into the message's headers; in the worker, ``task_prerun``
sets it (with the task's id and name) for the duration of the task and ``task_postrun`` puts back what
was there before. In eager mode a task runs inside the caller's context, which already holds the id.
A task that arrives without one (the beat, the reconciler, an old message) gets a new id of its own,
so the tasks it enqueues still share one. ``lms.celery`` connects the handlers.
"""
from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from typing import Any

HEADER = "X-Request-ID"
# The name under which the id travels in a Celery message's headers (the worker copies message headers
# onto ``task.request``); prefixed so that it never meets a name of Celery's own.
MESSAGE_HEADER = "lms_request_id"

# Letters, digits and a few separators, bounded: enough for the UUIDs and trace ids proxies send, and
# nothing that could forge a log line or a header.
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)
task_name_var: ContextVar[str | None] = ContextVar("task_name", default=None)

# What each running task replaced, by task id, so postrun puts it back. A stack per id: eager tasks nest,
# and an eager retry runs again under the same id inside the first run.
_Tokens = tuple[Token[str | None], Token[str | None], Token[str | None]]
_tokens: dict[str, list[_Tokens]] = {}


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_sane(value: object) -> str | None:
    """``value`` when it is an id we accept from outside (bounded, safe characters), else ``None``."""
    if isinstance(value, str) and _SANE.fullmatch(value):
        return value
    return None


def request_id_from_header(value: str | None) -> str:
    """The incoming header's id when it is sane, else a new one."""
    return request_id_sane(value) or request_id_new()


def request_id_current() -> str | None:
    return request_id_var.get()


def publish_add_request_id(sender: Any = None, headers: dict | None = None, **_: Any) -> None:
    """``before_task_publish``: the current request id goes into the outgoing message's headers."""
    current = request_id_var.get()
    if current is not None and headers is not None:
        headers.setdefault(MESSAGE_HEADER, current)


def _incoming_request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    found = getattr(request, MESSAGE_HEADER, None)  # a worker: message headers become request attributes
    if found is None:
        found = (getattr(request, "headers", None) or {}).get(MESSAGE_HEADER)  # apply(headers=...)
    return request_id_sane(found)


def task_prerun_set_context(sender: Any = None, task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """``task_prerun``: the request id from the message (or the caller's, in eager mode, or a new one),
    the task's id and name, for the duration of the task."""
    task = task or sender
    request_id = _incoming_request_id(task) or request_id_var.get() or request_id_new()
    tokens = (request_id_var.set(request_id), task_id_var.set(task_id),
              task_name_var.set(getattr(task, "name", None)))
    if task_id is not None:
        _tokens.setdefault(task_id, []).append(tokens)


def task_postrun_clear_context(sender: Any = None, task_id: str | None = None, **_: Any) -> None:
    """``task_postrun``: put back what the task's prerun replaced."""
    if task_id is None or not _tokens.get(task_id):
        return
    tokens = _tokens[task_id].pop()
    if not _tokens[task_id]:
        del _tokens[task_id]
    for var, token in zip((request_id_var, task_id_var, task_name_var), tokens, strict=True):
        try:
            var.reset(token)
        except ValueError:  # set in another context (should not happen): clear rather than leak
            var.set(None)
