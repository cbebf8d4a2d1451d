"""A bounded load test: learners browse the catalog, complete lessons, and start and submit quizzes
against gunicorn + PostgreSQL + Redis + a real Celery worker (bench/load/learners.py, the same run as
``python -m bench.load``, shorter). Loopback only, a fixed duration, stops by itself.

Afterwards every successful write the client counted must be in the database exactly once, every
enrollment the load completed must have one certificate from the worker, and nothing may fail.
Skipped on the embedded configuration: the server and worker are other processes, and they cannot
open the in-memory SQLite test database."""
from __future__ import annotations

import importlib.util
import os
from urllib.parse import quote

import pytest
from django.db import connection

from lms.celery import app as celery_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
                       reason="the load test needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL): its "
                              "server and worker processes cannot open the embedded SQLite test database"),
    pytest.mark.django_db(transaction=True),
]

DURATION = 15.0  # seconds of load; the whole test takes about twice that
USERS = 10


def _test_database_url() -> str:
    """The test database (not DATABASE_URL's), for the server and worker processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def test_a_mixed_learner_load_has_no_errors_and_loses_no_writes(tmp_path, figure, capsys):
    assert importlib.util.find_spec("locust"), "locust is pinned in requirements-dev.txt; run make install-dev"
    from bench.load import learners

    config = learners.Config(
        database_url=_test_database_url(), broker_url=str(celery_app.conf.broker_url),
        cache_url=os.environ.get("CACHE_URL") or "locmemcache://load", var_dir=tmp_path / "load",
        duration=DURATION, users=USERS, drain_timeout=90,
    )
    report = learners.run(config)
    with capsys.disabled():
        print(f"\nload test, {USERS} users for {DURATION:g} s:\n{report.table()}\n" + "\n".join(report.summary()))

    figure("load requests sent", report.requests)
    figure("load errors", report.errors)
    figure("load rows lost", report.rows_lost)

    assert report.errors == 0, report.ledger["error_samples"][:5]
    assert (report.rows_lost, report.rows_unexplained) == (0, 0), report.summary()
    assert report.problems == []
    for name, (by_client, in_database) in report.effects.items():
        assert by_client == in_database, name
    # The load did what it is meant to exercise: every kind of request, failed quizzes retaken,
    # enrollments completed during the run and their certificates issued by the worker.
    assert all(report.ledger["ok"].get(kind, 0) > 0 for kind in learners.KINDS), report.ledger["ok"]
    assert any(not passed for *_, passed in report.ledger["submitted"])
    assert report.effects["enrollments completed"][1] > 0
    assert report.effects["certificates"] == report.effects["enrollments completed"]
