"""One request id in the JSON logs of a request and of the tasks it sets off (issue 25): completing a
course's last activity through the API enqueues ``courses.certificate_issue``, which enqueues
``courses.certificate_email``. Eager mode (tasks run inside the request), then a real worker (in-thread,
solo pool) that takes the messages from the broker."""
from __future__ import annotations

import re

import pytest
from celery.contrib.testing.worker import start_worker

from courses.enrollments import services
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.certificates.conftest import one_step_course, wait_for
from tests.courses.factories import activities_of
from tests.log_helpers import json_console_log

pytestmark = pytest.mark.django_db(transaction=True)  # completion enqueues on commit, inside the request

ISSUE, EMAIL = "courses.certificate_issue", "courses.certificate_email"
WAIT = 60.0  # an upper bound for a slow machine, not a timing assertion


@pytest.fixture
def json_log():
    with json_console_log() as log:
        yield log


@pytest.fixture
def eager_tasks():
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = previous


def _ready_to_complete(org, client_for):
    """A learner enrolled in a one-activity course, their API client, and the completing address."""
    course = one_step_course()
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    activity = activities_of(course)[0]
    return client_for(learner), f"/api/v1/enrollments/{enrollment.pk}/activities/{activity.pk}/complete/"


def _assert_one_id_across_request_and_tasks(lines: list[dict], request_id: str) -> None:
    assert lines, "nothing was logged"
    assert {line["request_id"] for line in lines} == {request_id}, lines
    request_lines = [line for line in lines if "task_id" not in line]
    assert any(re.fullmatch(r"enrollment \d+ completed", line["message"]) for line in request_lines), lines
    issue = [line for line in lines if line.get("task_name") == ISSUE]
    email = [line for line in lines if line.get("task_name") == EMAIL]
    assert any(line["message"].startswith("certificate ") and " issued " in line["message"] for line in issue), lines
    assert any(line["message"].endswith("issue mail sent") for line in email), lines
    issue_ids, email_ids = {line["task_id"] for line in issue}, {line["task_id"] for line in email}
    assert len(issue_ids) == len(email_ids) == 1 and issue_ids != email_ids


@pytest.mark.parametrize(("incoming", "kept"), [(None, False), ("helpdesk-2026-0042", True),
                                                ("<script>alert(1)</script>", False)])
def test_the_request_and_both_tasks_log_the_same_request_id(org, client_for, mailoutbox, eager_tasks, json_log,
                                                            incoming, kept):
    client, address = _ready_to_complete(org, client_for)
    json_log.clear()
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = client.post(address, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["enrollment"]["status"] == "completed"
    request_id = response["X-Request-ID"]
    if kept:
        assert request_id == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    _assert_one_id_across_request_and_tasks(json_log.lines(), request_id)
    assert len(mailoutbox) == 1  # the email task really ran


@pytest.mark.integration
def test_through_a_real_worker_the_tasks_log_the_request_id_they_received(org, client_for, mailoutbox, private_queue):
    client, address = _ready_to_complete(org, client_for)
    # loglevel: the test worker sets the root logger's level, ERROR unless told. Its start sets Django up
    # again, which configures logging anew: the JSON log is read from the handler configured after it.
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[private_queue], loglevel="INFO",
                      shutdown_timeout=30.0), json_console_log() as json_log:
        response = client.post(address, HTTP_X_REQUEST_ID="worker-path-7")
        assert response.status_code == 200, response.content
        wait_for(lambda: any(line.get("task_name") == EMAIL and line["message"].endswith("issue mail sent")
                             for line in json_log.lines()),
                 timeout=WAIT, what="the worker to run the email task", diagnose=json_log.text)
        lines = json_log.lines()
    assert response["X-Request-ID"] == "worker-path-7"
    # The worker's own lines (a task received) are in the same log; every line inside a task carries the id.
    in_tasks = [line for line in lines if "task_id" in line]
    assert {line["request_id"] for line in in_tasks} == {"worker-path-7"}, in_tasks
    _assert_one_id_across_request_and_tasks([line for line in lines if line["request_id"] == "worker-path-7"],
                                            "worker-path-7")
    assert len(mailoutbox) == 1
