"""The request id (lms/request_ids.py, lms.middleware.RequestIdMiddleware) and the JSON log format
(lms/log_format.py, LOG_FORMAT=json). The path from a request through two tasks is tested in
tests/courses/certificates/test_request_id_logs.py."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest
from celery.signals import task_prerun
from django.conf import settings as django_settings

from lms import request_ids
from lms.celery import app as celery_app
from lms.request_ids import MESSAGE_HEADER, request_id_var, task_id_var, task_name_var
from lms.tasks import health_ping
from tests.log_helpers import json_console_log

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    with json_console_log() as log:
        yield log


# --- the id a request gets --------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["abc", "0f3c9a2e-7d51-4b8e-9c11-5a6b7c8d9e0f", "edge.trace_01:span-2", "x" * 128])
def test_a_sane_incoming_id_is_kept(value):
    assert request_ids.request_id_from_header(value) == value


@pytest.mark.parametrize("value", [None, "", "x" * 129, "two words", "a\nfake log line", "<script>", "ação", "a;b"])
def test_anything_else_is_replaced_by_a_new_uuid4_hex(value):
    new = request_ids.request_id_from_header(value)
    assert HEX32.fullmatch(new) and new != value
    assert uuid.UUID(hex=new).version == 4


@pytest.mark.django_db
@pytest.mark.parametrize(("incoming", "kept"), [(None, False), ("support-ticket-4711", True), ("bad id\r\n", False)])
def test_every_response_echoes_the_request_id_and_every_log_line_of_the_request_carries_it(
        api_client, json_log, incoming, kept):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    # An /api/ address nothing routes: Django logs a "Not Found" warning for it.
    response = api_client.get("/api/v1/no-such-thing/", **headers)
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    if kept:
        assert request_id == incoming
    else:
        assert HEX32.fullmatch(request_id)
    lines = json_log.lines()
    assert any("Not Found" in line["message"] for line in lines), lines
    assert {line["request_id"] for line in lines} == {request_id}
    assert request_id_var.get() is None  # nothing leaks past the request


@pytest.mark.django_db
def test_two_requests_get_two_ids(api_client):
    first = api_client.get("/api/v1/no-such-thing/")["X-Request-ID"]
    second = api_client.get("/api/v1/no-such-thing/")["X-Request-ID"]
    assert first != second


def test_a_guard_that_answers_before_the_view_still_echoes_the_id(api_client):
    response = api_client.post("/api/v1/no-such-thing/", data="{}", content_type="application/json",
                               CONTENT_LENGTH=str(10**10), HTTP_X_REQUEST_ID="big-upload-1")
    assert response.status_code == 413
    assert response["X-Request-ID"] == "big-upload-1"


# --- the JSON lines --------------------------------------------------------------------------------

def test_a_json_line_has_the_fields_and_masks_a_token_in_the_message(json_log):
    token = "9f8e7d6c5b4a39281706"
    token_var = request_id_var.set("req-1")
    try:
        logging.getLogger("lms.probe").warning("calling out with ?token=%s&page=2", token)
    finally:
        request_id_var.reset(token_var)
    [line] = json_log.lines()
    assert token not in json_log.text()
    assert line["message"] == "calling out with ?token=[redacted]&page=2"
    assert (line["level"], line["logger"], line["request_id"]) == ("WARNING", "lms.probe", "req-1")
    assert "task_id" not in line and "exception" not in line
    written = datetime.fromisoformat(line["time"])
    assert written.utcoffset() == timedelta(0)
    assert abs(datetime.now(written.tzinfo) - written) < timedelta(hours=1)


def test_a_json_line_carries_the_exception_masked(json_log):
    try:
        raise RuntimeError("upstream refused password='hunter2-long-secret'")
    except RuntimeError:
        logging.getLogger("lms.probe").exception("the call failed")
    [line] = json_log.lines()
    assert line["level"] == "ERROR" and line["request_id"] is None
    assert "RuntimeError" in line["exception"] and "Traceback" in line["exception"]
    assert "hunter2" not in json_log.text()
    assert "[redacted]" in line["exception"]


def _run_with_log_format(value: str, code: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LOG_FORMAT": value, "DJANGO_SETTINGS_MODULE": "lms.settings"}
    return subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", f"import django, logging; django.setup(); {code}"],
        cwd=str(django_settings.BASE_DIR), env=environment, capture_output=True, text=True, timeout=120,
    )


def test_log_format_json_makes_the_configured_handler_write_json_lines_with_secrets_masked():
    run = _run_with_log_format("json", "logging.getLogger('lms.probe').warning('reset at /password-reset/"
                                       "MQ/c0ffee-secret-token/ asked')")
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert [line["message"] for line in lines if line["logger"] == "lms.probe"] == [
        "reset at /password-reset/MQ/[redacted]/ asked"]
    assert "c0ffee-secret-token" not in run.stderr


def test_log_format_plain_stays_text_and_an_unknown_format_is_refused():
    plain = _run_with_log_format("plain", "logging.getLogger('lms.probe').warning('hello')")
    assert plain.returncode == 0, plain.stderr
    assert re.search(r"^\S+ \S+ WARNING lms\.probe hello$", plain.stderr, re.M), plain.stderr
    refused = _run_with_log_format("xml", "pass")
    assert refused.returncode != 0
    assert "LOG_FORMAT must be 'plain' or 'json'" in refused.stderr


def test_a_plain_line_carries_the_request_id_in_brackets_only_inside_a_request_or_task():
    plain = _run_with_log_format("plain", (
        "from lms.request_ids import request_id_var; probe = logging.getLogger('lms.probe'); "
        "probe.warning('outside'); token = request_id_var.set('req-42'); probe.warning('inside')"))
    assert plain.returncode == 0, plain.stderr
    assert re.search(r"^\S+ \S+ WARNING lms\.probe outside$", plain.stderr, re.M), plain.stderr
    assert re.search(r"^\S+ \S+ WARNING lms\.probe \[req-42\] inside$", plain.stderr, re.M), plain.stderr


# --- the Celery signal handlers ---------------------------------------------------------------------

def test_publishing_puts_the_current_id_into_a_real_message_header():
    message = celery_app.amqp.as_task_v2(uuid.uuid4().hex, "lms.health_ping", args=[1])
    token = request_id_var.set("req-publish")
    try:
        request_ids.publish_add_request_id(sender="lms.health_ping", headers=message.headers)
    finally:
        request_id_var.reset(token)
    assert message.headers[MESSAGE_HEADER] == "req-publish"
    assert message.headers["task"] == "lms.health_ping"  # Celery's own headers untouched

    untouched = celery_app.amqp.as_task_v2(uuid.uuid4().hex, "lms.health_ping", args=[1])
    request_ids.publish_add_request_id(sender="lms.health_ping", headers=untouched.headers)
    assert MESSAGE_HEADER not in untouched.headers  # outside a request, nothing is added


class _Seen:
    def __init__(self) -> None:
        self.values: list[tuple] = []

    def __call__(self, **_) -> None:
        self.values.append((request_id_var.get(), task_id_var.get(), task_name_var.get()))


@pytest.fixture
def seen_in_task():
    seen = _Seen()
    task_prerun.connect(seen, weak=False)  # after lms.celery's handler, so it sees what that one set
    try:
        yield seen
    finally:
        task_prerun.disconnect(seen)


@pytest.mark.django_db
def test_a_task_runs_with_the_id_from_its_message_headers_and_puts_back_the_callers(seen_in_task):
    token = request_id_var.set("the-caller")
    try:
        result = health_ping.apply(args=[0], headers={MESSAGE_HEADER: "from-the-message"})
        assert request_id_var.get() == "the-caller" and task_id_var.get() is None
    finally:
        request_id_var.reset(token)
    assert seen_in_task.values == [("from-the-message", result.id, "lms.health_ping")]


@pytest.mark.django_db
def test_a_task_without_a_header_keeps_the_callers_id_in_eager_mode_or_gets_a_new_one(seen_in_task):
    token = request_id_var.set("the-caller")
    try:
        health_ping.apply(args=[0])
    finally:
        request_id_var.reset(token)
    health_ping.apply(args=[0], headers={MESSAGE_HEADER: "not a sane id\n"})
    (first, _, _), (second, _, _) = seen_in_task.values
    assert first == "the-caller"
    assert HEX32.fullmatch(second)
    assert request_id_var.get() is None
