"""Services enqueue tasks by name (lms.queue), so they never import a tasks module."""
from __future__ import annotations

import pytest
from celery import current_app

from lms import queue
from lms.queue import task_enqueue
from lms.tasks import health_ping


def test_a_named_task_is_sent_through_its_registered_task(monkeypatch):
    task = health_ping
    sent = []
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append((args, options)))
    task_enqueue("lms.health_ping", args=("abc",), countdown=5, retry=False)
    assert sent == [(["abc"], {"countdown": 5, "retry": False})]


def test_tasks_not_yet_imported_are_discovered_first(monkeypatch):
    """A web process has not imported the apps' tasks modules; the queue asks Django to import them."""
    registry = current_app._get_current_object()._tasks
    task = registry.pop(health_ping.name)
    discovered = []

    def discover(name: str) -> None:
        discovered.append(name)
        registry["lms.health_ping"] = task

    monkeypatch.setattr(queue, "autodiscover_modules", discover)
    sent = []
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append(args))
    try:
        queue.task_enqueue("lms.health_ping", args=["abc"])
    finally:
        registry["lms.health_ping"] = task
    assert discovered == ["tasks"] and sent == [["abc"]]


def test_an_unknown_name_fails_loudly():
    with pytest.raises(KeyError):
        task_enqueue("courses.no_such_task", args=[1])
