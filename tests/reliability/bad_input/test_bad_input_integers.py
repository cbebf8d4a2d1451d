"""Integer query parameters outside the 64-bit signed range (what every id column holds): a 400 in
the one error shape naming the parameter, never the database driver's OverflowError (a 500 on
SQLite). The report's sync cursor is an opaque string in the schema, so a position out of range
inside it is a 422 ``invalid_cursor``. The largest value that fits still answers as before."""
from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from django.db import transaction

INT64_MAX = 2**63 - 1
OUT_OF_RANGE = {"2**63": 2**63, "-2**63-1": -(2**63) - 1, "10**30": 10**30, "-10**30": -(10**30)}


def _report_cursor(pk: int) -> str:
    raw = json.dumps(["2026-01-01T00:00:00+00:00", pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _drf_cursor(position: int) -> str:
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


# (role, path, parameter, how the value is written into the parameter)
CASES = [
    ("hr", "/api/v1/reports/completions/", "department", str),
    ("hr", "/api/v1/reports/summary/", "department", str),
    ("api_key", "/api/v1/reports/completions/", "department", str),
    ("hr", "/api/v1/reports/completions/", "cursor", _report_cursor),  # answers with its cursor code
    ("hr", "/api/v1/reports/exports/", "page", str),
    ("hr", "/api/v1/reports/webhooks/", "page", str),
    ("instructor", "/api/v1/workshops/sessions/", "workshop", str),
    ("instructor", "/api/v1/workshops/sessions/", "instructor", str),
    ("instructor", "/api/v1/roleplays/performances/", "scenario", str),
    ("instructor", "/api/v1/roleplays/performances/", "cursor", _drf_cursor),
    ("learner", "/api/v1/quiz-attempts/", "activity", str),
    ("org_admin", "/api/v1/privacy/organizations/acme/access-log/", "person", str),
    ("org_admin", "/api/v1/privacy/organizations/acme/access-log/", "actor", str),
    ("org_admin", "/api/v1/privacy/organizations/acme/access-log/", "page", str),
]


def _get(client, path, query):
    with transaction.atomic():
        response = client.get(path, query)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(("role", "path", "name", "write"), CASES, ids=[f"{c[1]}?{c[2]}" for c in CASES])
def test_out_of_range_integer_query_parameters_are_refused_naming_the_parameter(world, role, path, name, write):
    client = world.client(role)
    problems = []
    for label, value in OUT_OF_RANGE.items():
        if name == "cursor" and value < 0:
            continue  # a cursor holds a position, never negative; the range is what is under test
        response = _get(client, path, {name: write(value)})
        body = response.json() if response.get("Content-Type", "").startswith("application/json") else None
        code, status = ("invalid_cursor", 422) if write is _report_cursor else ("invalid", 400)
        if response.status_code != status or not body or body["error"]["code"] != code \
                or name not in body["error"]["fields"] or not body["error"]["message"]:
            problems.append(f"{name}={label}: {response.status_code} {response.content[:200]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("role", "path", "name", "write"), CASES, ids=[f"{c[1]}?{c[2]}" for c in CASES])
def test_the_largest_64_bit_value_still_answers_below_500(world, role, path, name, write):
    response = _get(world.client(role), path, {name: write(INT64_MAX)})
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("path", ["/api/v1/workshops/sessions/{}/", "/api/v1/reports/exports/{}/",
                                  "/api/v1/organizations/{org}/departments/{}/", "/api/v1/quiz-attempts/{}/"])
def test_path_ids_too_long_for_64_bits_stay_a_404(world, path):
    """The <id:...> converter takes at most 18 digits: a longer id is not routed at all."""
    client = world.client("org_admin" if "{org}" in path else "hr")
    for value in (2**63, 10**30, INT64_MAX):
        response = _get(client, path.format(value, org=world.org.slug), {})
        assert response.status_code == 404, (path, value, response.content[:200])
        assert response.json()["error"]["code"] == "not_found"
