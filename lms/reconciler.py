"""The reconciler: the periodic safety net behind every Celery nudge.

Feature apps keep a ``reconcilers.py`` module whose functions find work the database shows as
pending (a completed enrollment without a certificate, an undelivered webhook, ...) and
re-enqueue it. They register with ``@reconciler("name")``; the ``lms.reconcile`` task
discovers every installed app's module and runs each function, one failure never stopping
the others.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

Reconciler = Callable[[], int]
_registry: dict[str, Reconciler] = {}


def reconciler(name: str) -> Callable[[Reconciler], Reconciler]:
    """Register a function that re-enqueues pending work and returns how many items it found."""

    def register(func: Reconciler) -> Reconciler:
        _registry[name] = func
        return func

    return register


def registered() -> dict[str, Reconciler]:
    autodiscover_modules("reconcilers")
    return dict(_registry)


def reconcile_all() -> dict[str, int | str]:
    results: dict[str, int | str] = {}
    for name, func in registered().items():
        try:
            results[name] = func()
        except Exception as exc:  # one broken reconciler must not starve the others
            logger.exception("reconciler %s failed", name)
            results[name] = f"error: {type(exc).__name__}"
    return results
