"""Bad input sent to every API write (POST/PUT/PATCH read from the URL configuration), as the role
that may write it: bodies that are not JSON or not an object, wrong content types, a body over the
limit, JSON nested past the parser's depth, and one value at a time spoiled (NUL bytes, lone
surrogates, over-long text, negative, huge and fractional numbers, impossible dates and offsets,
unknown time zones, wrong types).

Every answer is below 500; every refusal is a 4xx in the one error shape and leaves every table as
it was. Each request runs in a savepoint that is rolled back, so the next one sees the same world.
"""
from __future__ import annotations

import functools

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.reliability.bad_input import bad_inputs as catalogue
from tests.reliability.bad_input.conftest import row_counts
from tests.reliability.permission_table import SERVER_ERRORS_ALLOWED
from tests.reliability.routes import api_operations
from tests.reliability.world import fill
from tests.reliability.world import parameter as catalogue_parameter

WRITES = [op for op in api_operations() if op.method in {"POST", "PUT", "PATCH"}]
MUST_REFUSE = object()  # the case's answer must be a 4xx


@functools.cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node: dict) -> dict:
    components = _schema()["components"]["schemas"]
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        node = _resolve(node["allOf"][0])
    return node


def _body_schema(operation) -> tuple[bool, dict[str, dict]]:
    """(has a request body, its JSON properties with $refs resolved one level down)."""
    path = "/api/v1/" + operation.key.split(" /api/v1/", 1)[1]
    entry = _schema()["paths"][path][operation.method.lower()]
    content = entry.get("requestBody", {}).get("content", {})
    if not content:
        return False, {}
    body = _resolve(next(iter(content.values()))["schema"])

    def deep(node: dict) -> dict:
        node = _resolve(node)
        if node.get("type") == "array" and "items" in node:
            return {**node, "items": deep(node["items"])}
        if "properties" in node:
            return {**node, "properties": {k: deep(v) for k, v in node["properties"].items()}}
        return node

    return True, {name: deep(prop) for name, prop in body.get("properties", {}).items()}


class Sender:
    """Sends one case inside a rolled-back savepoint and records what went wrong with it."""

    def __init__(self, world, operation, figure):
        self.world = world
        self.operation = operation
        self.role = catalogue.writer_role(operation.key)
        self.path = fill(operation.route, world)
        self.client = world.client(self.role)
        self.problems: list[str] = []
        self.cases = self.refused = self.half_written = 0
        self.figure = figure

    def send(self, name: str, body: bytes, content_type: str | None = "application/json",
             expect=None, **extra) -> int:
        self.cases += 1
        status = 0
        with transaction.atomic():
            before = row_counts()
            response = self.client.generic(self.operation.method, self.path, body,
                                           content_type=content_type or "", **extra)
            status = response.status_code
            if 400 <= status < 500:
                self.refused += 1
                changed = {t: (n, m) for (t, n), m in zip(before.items(), row_counts().values(), strict=True)
                           if n != m}
                if changed:
                    self.half_written += 1
                    self.problems.append(f"{name}: {status} but rows changed {changed}")
                self._check_shape(name, response)
            transaction.set_rollback(True)
        if status >= 500:
            self.problems.append(f"{name}: {status} {response.content[:300]!r}")
        elif expect is MUST_REFUSE and not 400 <= status < 500:
            self.problems.append(f"{name}: expected a 4xx, got {status} {response.content[:200]!r}")
        return status

    def _check_shape(self, name, response) -> None:
        try:
            error = response.json()["error"]
            assert isinstance(error["code"], str) and error["code"]
            assert isinstance(error["message"], str) and error["message"]
        except Exception:
            self.problems.append(f"{name}: {response.status_code} without the error shape: {response.content[:200]!r}")

    def finish(self) -> None:
        self.figure("bad-input cases", self.cases)
        self.figure("bad-input refusals (4xx)", self.refused)
        self.figure("bad-input rows half-written", self.half_written)
        self.figure("bad-input server errors", sum(1 for p in self.problems if ": 5" in p))
        assert not self.problems, (f"{self.operation.key} as {self.role}:\n  " + "\n  ".join(self.problems))


def _base_body(operation, world):
    factory = catalogue.VALID_BODIES.get(operation.key)
    return factory(world) if factory else {}


@pytest.mark.parametrize("operation", WRITES, ids=[op.key for op in WRITES])
def test_whole_bodies_are_refused_cleanly(operation, world, figure, settings):
    has_body, _ = _body_schema(operation)
    sender = Sender(world, operation, figure)
    strict = MUST_REFUSE if has_body else None
    baseline = sender.send("valid body", catalogue.dump(_base_body(operation, world)))
    assert baseline < 500
    for name, body in catalogue.MALFORMED_JSON.items():
        sender.send(f"malformed JSON {name}", body, expect=strict)
    for name, body in catalogue.WRONG_JSON_SHAPES.items():
        sender.send(f"JSON {name}", body, expect=strict)
    for name, content_type, body in catalogue.WRONG_CONTENT_TYPES:
        sender.send(f"content type {name}", body, content_type)
    sender.send("nested arrays past the parser's depth", catalogue.deeply_nested(), expect=strict)
    sender.send("nested objects past the parser's depth", catalogue.deeply_nested_objects(), expect=strict)
    limit = django_settings.API_MAX_BODY_BYTES
    settings.UPLOAD_MAX_BYTES = limit  # the multipart limit too, so no test sends 50 MB
    huge = b'{"title": "' + b"x" * limit + b'"}'
    if sender.send("body over the limit", huge, expect=MUST_REFUSE) not in {413}:
        sender.problems.append("body over the limit: not a 413")
    multipart = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\n" + b"x" * limit
    sender.send("multipart body over the limit", multipart, "multipart/form-data; boundary=b", expect=MUST_REFUSE)
    sender.send("Content-Length not a number", b"{}", CONTENT_LENGTH="twelve", expect=MUST_REFUSE)
    sender.finish()


def _field_cases(operation, world):
    _, properties = _body_schema(operation)
    body = _base_body(operation, world)
    for leaf in catalogue.leaves(body, properties):
        for name, value in catalogue.values_for(leaf).items():
            yield leaf, name, catalogue.spoil(body, leaf, value)


@pytest.mark.parametrize("operation", [op for op in WRITES if _body_schema(op)[0]],
                         ids=[op.key for op in WRITES if _body_schema(op)[0]])
def test_each_spoiled_value_is_refused_or_stored_safely(operation, world, figure):
    sender = Sender(world, operation, figure)
    for leaf, name, body in _field_cases(operation, world):
        path = ".".join(map(str, leaf.path))
        strict = MUST_REFUSE if catalogue.must_refuse(operation.key, leaf, name) else None
        sender.send(f"{path}={name}", catalogue.dump(body), expect=strict)
    sender.finish()


def test_the_catalogue_has_a_valid_body_for_every_json_write():
    """A new JSON write needs its valid body in bad_inputs.VALID_BODIES, or its values go untested."""
    missing = [op.key for op in WRITES if _body_schema(op)[1] and op.key not in catalogue.VALID_BODIES
               and not any(p.get("format") == "binary" for p in _body_schema(op)[1].values())]
    assert not missing, missing


READS = [op for op in api_operations() if op.method == "GET" and op.key not in SERVER_ERRORS_ALLOWED]


def _query_parameters(operation) -> list[str]:
    path = "/api/v1/" + operation.key.split(" /api/v1/", 1)[1]
    entry = _schema()["paths"][path]["get"]
    return [p["name"] for p in entry.get("parameters", []) if p.get("in") == "query"]


def test_nul_bytes_and_markup_in_query_strings_and_paths(world, figure):
    """Every read and public page, with a NUL (and markup) in each query parameter and text path
    parameter: PostgreSQL cannot compare text with a NUL, so a NUL is refused before any query (422
    under /api/, 400 for pages; markup is never a 5xx)."""
    problems, cases = [], 0
    for operation in READS:
        role = "hr" if "/reports/" in operation.route else "instructor"
        client = world.client(role)
        path = fill(operation.route, world)
        names = [*_query_parameters(operation), "unknown"]
        queries = [{name: "\x00" for name in names}, {name: catalogue.SCRIPT for name in names}]
        for name in names:
            queries.append({name: "a\x00b"})
        for query in queries:
            cases += 1
            with transaction.atomic():
                response = client.get(path, query)
                transaction.set_rollback(True)
            has_nul = any("\x00" in value for value in query.values())
            if response.status_code >= 500 or (has_nul and response.status_code != 422):
                problems.append(f"{operation.key} ?{list(query)}: {response.status_code}")
        for name in ("slug", "code", "token"):
            if f":{name}>" in operation.route or f"<{name}>" in operation.route:
                cases += 1
                spoiled = fill(operation.route, world).replace(
                    catalogue_parameter(operation.route, name, world), "bad%00value", 1)
                with transaction.atomic():
                    response = client.get(spoiled)
                    transaction.set_rollback(True)
                if response.status_code != 422:
                    problems.append(f"{operation.key} with a NUL in <{name}>: {response.status_code}")
    pages = Client()
    pages.force_login(world.users["hr"])
    for url in ["/verify/bad%00code/", "/unsubscribe/bad%00token/", "/hr/?organization=%00", "/hr/people/?manager=%00",
                "/api/v1/verify/bad%00code/", "/api/v1/certificates/bad%00code/credential.json"]:
        cases += 1
        response = pages.get(url)
        if response.status_code != (422 if url.startswith("/api/") else 400):
            problems.append(f"{url}: {response.status_code}")
    figure("bad-input cases", cases)
    figure("bad-input server errors", len(problems))
    assert not problems, "\n".join(problems)


ROUND_TRIPS = [
    # (role, write method, path template, field, read path template, where the value is read back)
    ("learner", "PATCH", "/api/v1/me/", "first_name", "/api/v1/me/", ("first_name",)),
    ("org_admin", "PATCH", "/api/v1/organizations/{org}/departments/{department}/", "name",
     "/api/v1/organizations/{org}/departments/{department}/", ("name",)),
    ("instructor", "PATCH", "/api/v1/courses/{course}/", "title", "/api/v1/courses/{course}/", ("title",)),
    ("instructor", "PATCH", "/api/v1/workshops/sessions/{session}/", "venue", "/api/v1/workshops/sessions/{session}/",
     ("venue",)),
    ("learner", "PUT", "/api/v1/courses/{course}/rating/", "review", "/api/v1/courses/{course}/rating/", ("review",)),
]


@pytest.mark.parametrize("oddity", list(catalogue.UNICODE_ODDITIES))
def test_unusual_but_valid_text_round_trips_intact(world, oddity, figure):
    """Right-to-left text, decomposed accents, emoji sequences, astral characters and zero-width
    spaces are accepted and come back exactly as sent (not normalised, not mangled)."""
    from courses.enrollments import services as course_services

    course_services.activity_record_result(enrollment=world.enrollment, activity=world.lesson, passed=True)
    value = catalogue.UNICODE_ODDITIES[oddity]
    names = {"org": world.org.slug, "department": world.department.pk, "course": world.course.slug,
             "session": world.extra["session"].pk}
    for role, method, write, field, read, key in ROUND_TRIPS:
        client = world.client(role)
        body = {field: value, **({"stars": 4} if field == "review" else {})}
        response = client.generic(method, write.format(**names), catalogue.dump(body),
                                  content_type="application/json")
        assert response.status_code in (200, 201), (write, response.status_code, response.content[:300])
        got = client.get(read.format(**names)).json()
        for step in key:
            got = got[step]
        assert got == value, (write, field, got, value)
    figure("bad-input cases", len(ROUND_TRIPS))
