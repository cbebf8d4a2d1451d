"""A bounded load test: learners browse the catalog, complete lessons, and start and submit quizzes
against gunicorn + PostgreSQL + Redis + a real Celery worker (bench/load/learners.py, the same run as
``python -m bench.load``, shorter). Loopback only, a fixed duration, stops by itself.

Afterwards every successful write the client counted must be in the database exactly once, every
enrollment the load completed must have one certificate from the worker, and nothing may fail.
The load itself is skipped on the embedded configuration: the server and worker are other processes,
and they cannot open the in-memory SQLite test database. The check it relies on is tested on both,
with ledgers that match the database and ledgers that do not."""
from __future__ import annotations

import importlib.util
import os
from urllib.parse import quote

import pytest
from django.db import connection

from assessments.quizzes.models import Quiz
from assessments.quizzes.services import attempts as assessment_services
from courses.catalog.models import Activity
from courses.certificates import services as certificate_services
from courses.enrollments import services as course_services
from courses.enrollments.models import Enrollment
from lms.celery import app as celery_app

needs_postgres_and_redis = pytest.mark.skipif(
    connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
    reason="the load test needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL): its server and worker "
           "processes cannot open the embedded SQLite test database",
)

DURATION = 15.0  # seconds of load; the whole test takes about twice that
USERS = 10


def _test_database_url() -> str:
    """The test database (not DATABASE_URL's), for the server and worker processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


@pytest.mark.integration
@needs_postgres_and_redis
@pytest.mark.django_db(transaction=True)
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


# --- the check, against ledgers written by hand -------------------------------------------------------

KINDS_OF_WRITE = {"lesson complete": "completed", "quiz start": "started", "quiz submit": "submitted"}


def _report(learners, config, **effects):
    """A report whose ledger claims ``effects`` (completed / started / submitted), every request a success."""
    ledger = {"completed": [], "started": [], "resumed": [], "submitted": [], **effects, "errors": {},
              "error_samples": [], "exceptions": [], "unanswered": [], "learners_taken": 1, "pool_exhausted": False}
    ledger["ok"] = {kind: len(ledger[key]) for kind, key in KINDS_OF_WRITE.items()}
    ledger["sent"] = dict(ledger["ok"])
    stats = {kind: {"requests": ledger["sent"].get(kind, 0), "failures": 0} for kind in learners.KINDS}
    return learners.Report(config=config, stats=stats, ledger=ledger, elapsed=1.0, server="none")


@pytest.fixture
def load_world(db, tmp_path, settings):
    """One course (two lessons and a two-question quiz) and two enrolled learners, as prepare() makes them."""
    from bench.load import learners

    settings.MEDIA_ROOT = str(tmp_path / "media")
    config = learners.Config(database_url="-", broker_url="-", cache_url="-", var_dir=tmp_path, users=1, learners=2,
                             courses=1, lessons=2, questions=2, duration=1)
    prepared = learners.prepare(config)
    lessons = sorted(prepared.lesson_ids)
    quiz = Quiz.objects.get(activity_id=next(iter(prepared.quiz_activity_ids)))
    enrollments = list(Enrollment.objects.filter(pk__in=prepared.enrollment_ids).order_by("pk"))
    return learners, config, prepared, enrollments, [Activity.objects.get(pk=pk) for pk in lessons], quiz


def _take_course(enrollment, lessons, quiz, *, key):
    """What the server does for one learner's successful requests; returns the ledger entries."""
    for lesson in lessons:
        course_services.lesson_complete(enrollment=enrollment, activity=lesson, time_spent_seconds=60)
    attempt, _ = assessment_services.attempt_start(quiz=quiz, enrollment=enrollment)
    answers = [{"question": entry["question"], "choices": key[str(entry["question"])]["right"]}
               for entry in attempt.layout]
    assessment_services.attempt_submit(attempt=attempt, answers=answers)
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk)  # the worker's part
    certificate_services.certificate_render(certificate_id=certificate.pk)
    return {"completed": [[enrollment.pk, lesson.pk] for lesson in lessons], "started": [attempt.pk],
            "submitted": [[attempt.pk, enrollment.pk, quiz.activity_id, True]]}


def test_the_check_passes_when_the_database_holds_exactly_the_successful_writes(load_world):
    learners, config, prepared, enrollments, lessons, quiz = load_world
    key = prepared.plan["courses"][0]["steps"][-1]["key"]
    claimed = _take_course(enrollments[0], lessons, quiz, key=key)
    report = _report(learners, config, **claimed)

    learners.verify(prepared, report)

    assert (report.rows_lost, report.rows_unexplained, report.problems) == (0, 0, [])
    assert report.effects["lesson completions"] == (2, 2)
    assert report.effects["quiz answers recorded"] == (2, 2)
    assert report.effects["enrollments completed"] == (1, 1)
    assert report.effects["certificates"] == (1, 1)
    assert report.passed


def test_the_check_counts_a_lost_write_a_doubled_one_and_one_no_response_accounts_for(load_world):
    learners, config, prepared, enrollments, lessons, quiz = load_world
    key = prepared.plan["courses"][0]["steps"][-1]["key"]
    claimed = _take_course(enrollments[0], lessons, quiz, key=key)
    other = enrollments[1]
    # Lost: the client got 200 for the second learner's first lesson, which is not in the database.
    claimed["completed"].append([other.pk, lessons[0].pk])
    # Doubled: one 200 for the first learner's first lesson, but the completion was applied twice.
    course_services.lesson_complete(enrollment=enrollments[0], activity=lessons[0], time_spent_seconds=60)
    # Unexplained: an attempt the client never saw created (say its start answered 500 after the commit).
    assessment_services.attempt_start(quiz=quiz, enrollment=other)
    report = _report(learners, config, **claimed)

    learners.verify(prepared, report)

    assert (report.rows_lost, report.rows_unexplained) == (1, 2)
    assert report.effects["lesson completions"] == (3, 3)  # equal totals, different rows: still caught
    assert report.effects["quiz attempts started"] == (1, 2)
    assert any(problem.startswith("lesson completions") for problem in report.problems)
    assert not report.passed


def test_the_check_wants_a_certificate_for_every_completed_enrollment(load_world):
    learners, config, prepared, enrollments, lessons, quiz = load_world
    key = prepared.plan["courses"][0]["steps"][-1]["key"]
    claimed = _take_course(enrollments[0], lessons, quiz, key=key)
    enrollments[0].certificate.delete()  # as if the worker never issued it
    report = _report(learners, config, **claimed)

    learners.verify(prepared, report)

    assert report.rows_lost == 1
    assert report.effects["enrollments completed"] == (1, 1)
    assert report.effects["certificates"] == (1, 0)
