"""Settings of the load test's gunicorn server and Celery worker: the project's own settings, read from
the environment like a deployment's (DEBUG=0, throttle rates, database, broker, cache), plus one thing
the project does not read from the environment: the Celery queue, so a run's tasks go to a queue of its
own (``LOAD_QUEUE``) that only its own worker consumes, and a test run never picks up (or leaves behind)
another run's messages.
"""
import os

from lms.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LOAD_QUEUE", "default")
