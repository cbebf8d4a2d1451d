"""PostgreSQL connections dropped during requests, on a PostgreSQL cluster of the test's own (initdb +
pg_ctl on a spare loopback port; the shared server is never touched): the app's connection is pointed
at it, and requests go through Django's real WSGI handler, so the request boundaries close and
health-check connections as they do under gunicorn.

- a backend terminated between requests: CONN_HEALTH_CHECKS notices, the request never does;
- a backend terminated mid-request, after the first write: a clean JSON 503 with Retry-After, the
  transaction rolled back (nothing half-written), and the retried request succeeds;
- the whole server killed mid-request (immediate shutdown): 503 while it is down, nothing half-written
  after crash recovery, and the retried request completes the course.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.client import RequestFactory

from courses.enrollments import services
from courses.enrollments.models import ActivityProgress, Enrollment
from tests import factories as people
from tests.courses.certificates.conftest import private_queue  # noqa: F401 (a fixture, shared)
from tests.courses.factories import activities_of, build_course
from tests.helpers import assert_error
from tests.reliability.faults import PostgresCluster, needs_postgres_and_redis

pytestmark = [pytest.mark.integration, needs_postgres_and_redis, pytest.mark.django_db(transaction=True)]

OWN_DATABASE = "lms_faults_own"


@pytest.fixture
def own_postgres(transactional_db, private_queue) -> Iterator[PostgresCluster]:  # noqa: F811
    """The default connection, pointed at a cluster of this test's own holding a copy of the test
    database; pointed back (and the cluster removed) afterwards, before the test database is flushed."""
    cluster = PostgresCluster()
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    try:
        cluster.init()
        cluster.start()
        cluster.load_schema_from(dict(connection.settings_dict), OWN_DATABASE)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port), NAME=OWN_DATABASE)
        yield cluster
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        cluster.stop()


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def __getitem__(self, header: str) -> str:
        return self.headers[header.lower()]

    def json(self):
        import json

        return json.loads(self.content)


def send(method: str, path: str, token: str) -> Answer:
    """One request through Django's WSGI handler, closed as a WSGI server closes it (request_finished)."""
    request = RequestFactory().generic(method, path, b"", content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Token {token}")
    started: dict = {}

    def start_response(status: str, headers: list, exc_info=None) -> None:
        started["status"], started["headers"] = int(status.split()[0]), {k.lower(): v for k, v in headers}

    response = WSGIHandler()(request.environ, start_response)
    try:
        content = b"".join(response)
    finally:
        response.close()
    return Answer(started["status"], started["headers"], content)


def backend_pids(cluster: PostgresCluster) -> list[int]:
    with cluster.connect() as side:
        return [row[0] for row in side.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [OWN_DATABASE])]


def terminate_backends(cluster: PostgresCluster) -> int:
    with cluster.connect() as side:
        return len(side.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = %s AND pid <> pg_backend_pid()", [OWN_DATABASE]).fetchall())


class DropWhen:
    """An execute wrapper that injects ``fault`` once, just before the first statement starting with
    ``prefix`` reaches the server (so the statements before it in the transaction have run)."""

    def __init__(self, prefix: str, fault: Callable[[], object]) -> None:
        self.prefix, self.fault, self.fired = prefix, fault, 0

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and sql.startswith(self.prefix):
            self.fired += 1
            self.fault()
        return execute(sql, params, many, context)


def assert_clean_503(answer: Answer) -> None:
    assert b"Traceback" not in answer.content
    assert_error(answer, 503, "service_unavailable")
    assert int(answer["Retry-After"]) >= 1


def test_dropped_database_connections_answer_503_write_nothing_and_the_retry_succeeds(own_postgres, figure):
    course = build_course(activities=[{"title": "Listen"}, {"title": "Reflect"}])
    first, last = activities_of(course)
    learner = people.UserFactory()
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    _, token = people.token_for(learner)
    complete = {activity: f"/api/v1/enrollments/{enrollment.pk}/activities/{activity.pk}/complete/"
                for activity in (first, last)}
    faults = statuses_503 = 0
    answers: list[Answer] = []

    assert send("GET", f"/api/v1/enrollments/{enrollment.pk}/", token).status_code == 200
    assert backend_pids(own_postgres), "the app's connection should persist between requests (CONN_MAX_AGE)"

    # 1. Between requests: the persistent connection dies; the health check replaces it unnoticed.
    assert terminate_backends(own_postgres) >= 1
    faults += 1
    answers.append(send("GET", f"/api/v1/enrollments/{enrollment.pk}/", token))
    assert answers[-1].status_code == 200, answers[-1].content

    # 2. Mid-request, after the progress row was written: the backend is terminated.
    drop = DropWhen('UPDATE "courses_enrollment"', lambda: terminate_backends(own_postgres))
    with connection.execute_wrapper(drop):
        answers.append(send("POST", complete[first], token))
    assert drop.fired == 1
    faults += 1
    assert_clean_503(answers[-1])
    assert not ActivityProgress.objects.filter(enrollment=enrollment).exists()  # rolled back, not half-written
    answers.append(send("POST", complete[first], token))  # the client retries
    assert answers[-1].status_code == 200, answers[-1].content
    assert ActivityProgress.objects.get(enrollment=enrollment, activity=first).attempts == 1

    # 3. Mid-request on the last activity: the whole server is killed; requests meanwhile get 503 too.
    crash = DropWhen('UPDATE "courses_enrollment"', own_postgres.kill)
    with connection.execute_wrapper(crash):
        answers.append(send("POST", complete[last], token))
    assert crash.fired == 1
    faults += 1
    assert_clean_503(answers[-1])
    answers.append(send("POST", complete[last], token))  # retried too soon: the server is still down
    assert_clean_503(answers[-1])
    own_postgres.start()  # crash recovery
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.progress_percent == 50
    assert not ActivityProgress.objects.filter(enrollment=enrollment, activity=last).exists()
    answers.append(send("POST", complete[last], token))
    assert answers[-1].status_code == 200, answers[-1].content

    enrollment.refresh_from_db()
    progress = ActivityProgress.objects.filter(enrollment=enrollment)
    statuses_503 = sum(answer.status_code == 503 for answer in answers)
    figure("faults injected", faults)
    figure("503 answers while the database was away", statuses_503)
    figure("5xx other than 503", sum(answer.status_code >= 500 and answer.status_code != 503 for answer in answers))
    figure("rows lost", 2 - progress.filter(status=ActivityProgress.Status.PASSED).count())
    figure("rows doubled", sum(row.attempts - 1 for row in progress))
    assert statuses_503 == 3
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.progress_percent == 100
    assert sorted(progress.values_list("activity_id", "attempts")) == [(first.pk, 1), (last.pk, 1)]
