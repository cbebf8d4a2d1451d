"""Gunicorn's settings for the LMS, the one place they live: `make run` (scripts/run.py) and production.

Gunicorn reads this file by itself when started from this folder (``gunicorn`` with no config flag);
command-line flags override it and say where to listen (``gunicorn --bind 0.0.0.0:8000 --workers 4``;
scripts/run.py passes ``--bind HOST:PORT``), and so does ``GUNICORN_CMD_ARGS``.

Threads, not one process per request: the gthread worker keeps a fixed pool of ``threads`` threads per
process, so with ``CONN_MAX_AGE`` above 0 each process holds at most ``threads`` database connections
(per database), ``workers * threads`` in all, reused from request to request rather than opened anew.
"""
from __future__ import annotations

import os

wsgi_app = "lms.wsgi:application"
worker_class = "gthread"
# WEB_CONCURRENCY is gunicorn's own variable for the number of processes.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8
# Connections waiting to be accepted (Django's development server queues only 10, and resets the rest).
backlog = 256
keepalive = 5
timeout = 60
graceful_timeout = 10
# Access and error logs on the terminal (or the container's log).
accesslog = "-"
errorlog = "-"
proc_name = "empathy-lms"
# No control socket: its default path is one per user ($HOME/.gunicorn/gunicorn.ctl), which a second
# server on the machine (a second checkout, the tests) would fight over.
control_socket_disable = True
