"""The progress write's statements: the API request that records a lesson as done, counted.

On PostgreSQL the service takes three statements (lock the enrollment with what the response shows,
one that inserts or updates the progress row and reads the recompute's inputs, the enrollment's
UPDATE); the SQLite path stays on the ORM. The API's "mark a lesson done" reads nothing before: the
statement that locks the learner's enrollment also reads the activity with its module, and the answer
is built from those rows without reading again after."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from courses.enrollments import services
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.models import User
from tests import factories as people
from tests.courses.factories import activities_of, build_course, completion_hook

POSTGRES = connection.vendor == "postgresql"

# Statements, not counting savepoints: the test runs in a transaction, so the service's own becomes a
# savepoint (in production its BEGIN and COMMIT are not statements Django logs either).
# In the service (the lock, the write, the enrollment's UPDATE). SQLite: the lock is a plain read, then
# get_or_create (a select, and an insert on a first result), the row's UPDATE and the recompute's two
# reads, then the enrollment's UPDATE.
SERVICE_FIRST = 3 if POSTGRES else 7
SERVICE_AGAIN = 3 if POSTGRES else 6
# The whole request, signed in with a personal token: the token, then the service, whose lock reads the
# activity too. Nothing before the lock, nothing after the enrollment's UPDATE.
REQUEST_FIRST = 1 + SERVICE_FIRST
REQUEST_AGAIN = 1 + SERVICE_AGAIN


@pytest.fixture
def course(db):
    return build_course(activities=[{"title": f"Lesson {n}", "kind": "lesson", "weight": n % 3}
                                    for n in range(4)])


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries
            if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _complete(client: APIClient, enrollment: Enrollment, activity) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/api/v1/enrollments/{enrollment.pk}/activities/{activity.pk}/complete/",
                             {"time_spent_seconds": 30}, format="json")
    assert answer.status_code == 200, answer.content
    return _statements(queries), answer.json()


def _token_client(user: User) -> APIClient:
    _, raw = people.token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/enrollments/")  # the token's once-a-minute last-used touch happens here, not below
    return client


def test_service_statements(course):
    activities = activities_of(course)
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
    with CaptureQueriesContext(connection) as first:
        services.activity_record_result(enrollment=enrollment, activity=activities[0], passed=True, score=80)
    with CaptureQueriesContext(connection) as again:
        services.activity_record_result(enrollment=enrollment, activity=activities[0], passed=False, score=95)
    assert (len(_statements(first)), len(_statements(again))) == (SERVICE_FIRST, SERVICE_AGAIN), _statements(first)
    assert _statements(first)[-1].startswith('UPDATE "courses_enrollment"')
    row = ActivityProgress.objects.get(enrollment=enrollment, activity=activities[0])
    assert (row.status, row.score, row.attempts) == ("passed", 95, 2)  # a pass stays, the best score is kept


def test_request_statements_and_answer(course, django_capture_on_commit_callbacks):
    learner = people.UserFactory()
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    client = _token_client(learner)
    seen: list[int] = []
    *rest, last = activities_of(course)
    # The completion's steps run after the commit (here: when the capture below ends), outside the count.
    with completion_hook(seen.append), django_capture_on_commit_callbacks(execute=True):
        for activity in rest:
            statements, body = _complete(client, enrollment, activity)
            assert len(statements) == REQUEST_FIRST, statements
            assert body["enrollment"]["status"] == "active"
            assert body["activity"]["status"] == "passed" and body["activity"]["attempts"] == 1
        statements, again = _complete(client, enrollment, rest[0])
        assert len(statements) == REQUEST_AGAIN, statements
        assert again["activity"]["attempts"] == 2 and again["activity"]["time_spent_seconds"] == 60
        statements, body = _complete(client, enrollment, last)
        assert len(statements) == REQUEST_FIRST, statements
    assert seen == [enrollment.pk]
    enrollment.refresh_from_db()
    # The answer is the committed row, read from nothing but the lock and the write.
    assert body["enrollment"]["status"] == "completed" == enrollment.status
    assert body["enrollment"]["progress_percent"] == 100 == enrollment.progress_percent
    assert body["enrollment"]["time_spent_seconds"] == 150 == enrollment.time_spent_seconds
    assert body["enrollment"]["course"]["slug"] == course.slug
    assert body["enrollment"]["learner"] == {"id": learner.pk, "email": learner.email, "name": learner.display_name}
    assert body["activity"] == {
        "activity_id": last.pk, "title": last.title, "kind": "lesson", "module": last.module.title,
        "required": True, "status": "passed", "score": None, "attempts": 1,
        "completed_at": body["activity"]["completed_at"], "time_spent_seconds": 30,
    }
    assert body["activity"]["completed_at"] is not None


def test_someone_elses_enrollment_and_another_courses_activity_answer_404(course, client_for):
    learner, stranger = people.UserFactory(), people.UserFactory()
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    elsewhere = activities_of(build_course(activities=[{"title": "Other"}]))[0]
    mine = activities_of(course)[0]
    answer = client_for(stranger).post(f"/api/v1/enrollments/{enrollment.pk}/activities/{mine.pk}/complete/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] != "activity_not_found"
    answer = client_for(learner).post(f"/api/v1/enrollments/{enrollment.pk}/activities/{elsewhere.pk}/complete/")
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "activity_not_found")
    assert not ActivityProgress.objects.exists()
