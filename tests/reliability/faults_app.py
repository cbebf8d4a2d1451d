"""The project's Celery app for the worker and beat processes the fault-injection tests start: the same
tasks and settings, but every task (the long queue's included) goes to the test's private queue, where
only that test's workers listen. Test-only: production code has no hook for this."""
import os

from lms.celery import app

_queue = os.environ["FAULTS_TEST_QUEUE"]
app.conf.task_default_queue = _queue
app.conf.update(task_routes={"*": {"queue": _queue}})

__all__ = ["app"]
