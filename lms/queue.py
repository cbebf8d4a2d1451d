"""Enqueueing work by task name, so services never import a tasks module.

Tasks import services (a task is a thin wrapper that reloads by id and calls one); a service that
needs a worker nudged names the task instead. The task object comes from the Celery registry, so
eager mode, routing (``*.long.*`` to the long queue) and time limits behave exactly as if the
service had imported it.
"""
from __future__ import annotations

from typing import Any

from celery import current_app
from celery.result import AsyncResult
from django.utils.module_loading import autodiscover_modules


def task_enqueue(name: str, *, args: list[Any] | tuple[Any, ...] = (), **options: Any) -> AsyncResult:
    """Send task ``name`` with ``args``; ``options`` go to ``apply_async`` (countdown, retry, ...).

    Raises ``KeyError`` for a name no installed app registers: a typo fails loudly, in tests first.
    """
    app = current_app._get_current_object()
    if name not in app.tasks:
        # A web process has not imported the apps' tasks modules yet (a worker does at start). Django's
        # own discovery, not Celery's loader: that one sets Django up again and resets logging.
        autodiscover_modules("tasks")
    return app.tasks[name].apply_async(args=list(args), **options)
