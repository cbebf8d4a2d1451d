"""API fuzzing: schemathesis generates requests for every operation in our OpenAPI schema and runs
every check on each answer: never a 5xx; status code, content type, headers and body as documented;
schema-violating requests refused (negative data rejection); schema-valid requests not refused for
their shape (positive data acceptance).

What the schema cannot state (a deadline in the future, a file that is really WebVTT, an id that
exists) is refused with 422; 400 means the input does not match the schema. So a schema-valid request
may meet a 422 (a rule) or a 409 (the current state), never a 400. A 413 (the body limit answers
before the schema is read) is a refusal too.

Requests rotate through the eight roles of tests/reliability/world.py (learner, instructor, HR user
and API key among them); every other case has its path parameters replaced by real identifiers of
the world, so generated bodies reach the code behind the 404s. The examples are derandomized, so CI
runs the same cases every time; `make bench` runs a longer hunt (FUZZ_EXAMPLES).
"""
from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode, checks

from lms.wsgi import application
from tests.reliability.permission_table import SERVER_ERRORS_ALLOWED
from tests.reliability.world import ROLES, build_world, parameter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
_checks = schema.config.checks
_checks.positive_data_acceptance.expected_statuses = [*_checks.positive_data_acceptance.expected_statuses, "422"]
_checks.negative_data_rejection.expected_statuses = [*_checks.negative_data_rejection.expected_statuses, "413"]


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    settings.VERIFY_MIN_SECONDS = 0
    # Throttles are tested on their own (tests/lms/test_throttles.py); here a 429 would hide the answer.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/min"))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Calls go through the real WSGI handler, whose request signals would close the database
    # connection in the middle of the test's transaction; Django's test client detaches them too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build_world()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_path_parameters(case, world) -> dict:
    route = case.operation.path.removeprefix("/api/v1/")
    return {name: parameter(route, name, world) for name in case.path_parameters}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_survives_generated_requests(case, world, record_property):
    turn = next(world.extra.setdefault("turns", itertools.count()))  # per test: order-independent
    role = ROLES[turn % len(ROLES)]
    if turn % 2 == 0 and case.path_parameters and not _negative(case):
        try:
            case.path_parameters = {**case.path_parameters, **_real_path_parameters(case, world)}
        except LookupError:
            pass
    key = f"{case.method.upper()} {case.operation.path}"
    excluded = [checks.not_a_server_error] if key in SERVER_ERRORS_ALLOWED else []
    world.extra["cases"] = world.extra.get("cases", 0) + 1
    record_property("fuzz_cases", world.extra["cases"])  # the last value per test is its count
    case.call_and_validate(headers=world.headers(role), excluded_checks=excluded)


def _negative(case) -> bool:
    """A case generated to break the schema keeps its broken parts (no real ids swapped in)."""
    meta = getattr(case, "_meta", None)
    return meta is not None and meta.generation.mode == GenerationMode.NEGATIVE
