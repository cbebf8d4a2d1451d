"""The project's Celery app for the worker processes these tests start: the same tasks and settings,
but tasks the worker enqueues itself (the issue email, the reminder sweep's per-organization sweeps)
go to the test's private queue rather than 'default' or 'long', where no test worker listens.
Test-only: production code has no hook for this."""
import os

from lms.celery import app

app.conf.task_default_queue = os.environ["CERTIFICATE_TEST_QUEUE"]
app.conf.task_routes = {"*": {"queue": os.environ["CERTIFICATE_TEST_QUEUE"]}}

__all__ = ["app"]
