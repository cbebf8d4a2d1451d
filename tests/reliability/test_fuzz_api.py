"""API fuzzing: schemathesis generates requests for every operation in our OpenAPI schema and
checks each response: never a 5xx, and status code, content type, headers and body as documented.

Requests rotate through the eight roles of tests/reliability/world.py; every other case has its
path parameters replaced by real identifiers of the world, so generated bodies reach the code
behind the 404s. The examples are derandomized, so CI runs the same cases every time; raise
FUZZ_EXAMPLES for a longer hunt.
"""
from __future__ import annotations

import itertools
import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup

from lms.wsgi import application
from tests.reliability.permission_table import SERVER_ERRORS_ALLOWED
from tests.reliability.world import ROLES, build_world, parameter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


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
    # Schema-valid is not the same as acceptable (a WebVTT file must parse, a course slug must be
    # free, a date must be in the future), so a 4xx for schema-valid data is not a failure here.
    excluded = [checks.positive_data_acceptance]
    if key in SERVER_ERRORS_ALLOWED:
        excluded.append(checks.not_a_server_error)
    world.extra["cases"] = world.extra.get("cases", 0) + 1
    record_property("fuzz_cases", world.extra["cases"])  # the last value per test is its count
    try:
        case.call_and_validate(headers=world.headers(role), excluded_checks=excluded)
    except FailureGroup as group:
        real = [failure for failure in group.exceptions
                if not _json_coercion(failure) and not _empty_query_parameter(failure, case)
                and not _too_large(failure)]
        if real:
            raise FailureGroup(real, str(group)) from None


def _negative(case) -> bool:
    """A case generated to break the schema keeps its broken parts (no real ids swapped in)."""
    meta = getattr(case, "_meta", None)
    return meta is not None and meta.generation.mode == GenerationMode.NEGATIVE


def _empty_query_parameter(failure, case) -> bool:
    """``?updated_since=`` means "not given" across the API (as in HTML forms), not a bad date."""
    match = re.search(r"parameters? ((?:`[^`]+`(?:, )?)+) in query", str(failure))
    if not isinstance(failure, AcceptedNegativeData) or match is None:
        return False
    names = re.findall(r"`([^`]+)`", match.group(1))
    return all((case.query or {}).get(name) in ("", [""]) for name in names)


def _too_large(failure) -> bool:
    """A 413 is a refusal too (the body limit answers before the schema is read)."""
    return isinstance(failure, AcceptedNegativeData) and failure.status_code == 413


def _json_coercion(failure) -> bool:
    """DRF reads 12 as "12" for a text field and "12" as 12 for a number field; we accept that
    coercion of JSON scalars in bodies (nothing is lost or misread). Query strings stay strict."""
    text = str(failure)
    return isinstance(failure, AcceptedNegativeData) and "in body" in text and "Incorrect type" in text
