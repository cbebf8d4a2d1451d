"""The API reads a request exactly as its OpenAPI schema describes it (lms.serializers, lms.schema):
a value of another JSON type, a property the operation does not take, or a bound the schema states
is a 400 naming the property, and nothing is written; a rule the schema cannot state is a 422."""
from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework import serializers

from courses.catalog.models import Course
from courses.reminders.models import NotificationPreference
from lms.error_handlers import validation_status
from lms.models import User
from lms.schema import decimal_pattern
from tests import factories as people
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _me(user) -> dict:
    user.refresh_from_db()
    return {"first_name": user.first_name, "last_name": user.last_name, "timezone": user.timezone}


@pytest.mark.parametrize("body", [
    {"last_name": 0}, {"first_name": True}, {"timezone": 5}, {"last_name": ["Silva"]}, {"first_name": {"a": 1}},
])
def test_a_number_or_other_type_for_a_text_field_is_a_400(client_for, org, body):
    person = people.member(org)
    before = _me(person)
    error = assert_error(client_for(person).patch("/api/v1/me/", body, format="json"), 400, "invalid")
    assert set(error["fields"]) == set(body)
    assert _me(person) == before


@pytest.mark.parametrize("body", [
    {"email_enabled": "true"}, {"email_enabled": 1}, {"email_enabled": 0}, {"resume": "yes"}, {"resume": 1},
])
def test_anything_but_true_or_false_for_a_boolean_is_a_400(client_for, org, body):
    person = people.member(org)
    error = assert_error(client_for(person).patch("/api/v1/me/notification-preferences/", body, format="json"),
                         400, "invalid")
    assert set(error["fields"]) == set(body)
    assert not NotificationPreference.objects.filter(user=person).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"slug": "c", "title": "C", "passing_score": "70"}, "passing_score"),
    ({"slug": "c", "title": "C", "passing_score": True}, "passing_score"),
    ({"slug": "c", "title": "C", "passing_score": 70.5}, "passing_score"),
    ({"slug": "c", "title": "C", "hours_credited": 1.5}, "hours_credited"),  # decimals are strings
])
def test_a_number_of_another_kind_is_a_400(client_for, org, body, field):
    instructor = people.member(org, "instructor")
    error = assert_error(client_for(instructor).post("/api/v1/courses/", body, format="json"), 400, "invalid")
    assert set(error["fields"]) == {field}
    assert not Course.objects.exists()


@pytest.mark.parametrize(("url", "body", "unknown"), [
    ("/api/v1/me/", {"first_name": "Ana", "nickname": "Aninha"}, "nickname"),
    ("/api/v1/me/", {"id": 1}, "id"),  # read-only: not something a request sets
    ("/api/v1/me/notification-preferences/", {"email_enabled": False, "kind": {}}, "kind"),
])
def test_a_property_the_operation_does_not_take_is_a_400_and_changes_nothing(client_for, org, url, body, unknown):
    person = people.member(org)
    before = _me(person)
    error = assert_error(client_for(person).patch(url, body, format="json"), 400, "invalid")
    assert error["fields"] == {unknown: ["This request does not take this property."]}
    assert _me(person) == before
    assert not NotificationPreference.objects.filter(user=person).exists()


def test_every_problem_is_named_in_one_answer(client_for, org):
    person = people.member(org)
    error = assert_error(client_for(person).patch(
        "/api/v1/me/", {"last_name": 7, "colour": "blue", "timezone": "x" * 500}, format="json"), 400)
    assert set(error["fields"]) == {"last_name", "colour", "timezone"}


def test_the_right_types_still_go_through(client_for, org):
    person = people.member(org)
    response = client_for(person).patch("/api/v1/me/", {"first_name": "Ana", "last_name": "Silva"}, format="json")
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=person.pk).last_name == "Silva"
    instructor = people.member(org, "instructor")
    created = client_for(instructor).post("/api/v1/courses/", {"slug": "calm", "title": "Calm", "passing_score": 70,
                                                               "hours_credited": "1.5"}, format="json")
    assert created.status_code == 201, created.content
    assert str(Course.objects.get(slug="calm").hours_credited) == "1.5"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5"])
@pytest.mark.parametrize("url", ["/api/v1/courses/", "/api/v1/enrollments/", "/api/v1/workshops/sessions/"])
def test_a_page_size_below_one_or_not_whole_is_a_400(client_for, org, url, value):
    error = assert_error(client_for(people.member(org)).get(url, {"page_size": value}), 400, "invalid")
    assert "page_size" in error["fields"]


def test_an_empty_query_value_means_not_given(client_for, org):
    response = client_for(people.member(org)).get("/api/v1/courses/", {"page_size": "", "search": ""})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("detail", "status"), [
    ({"a": [serializers.ErrorDetail("x", code="required")]}, 400),
    ({"a": [serializers.ErrorDetail("x", code="invalid_type")]}, 400),
    ({"a": [serializers.ErrorDetail("x", code="does_not_exist")]}, 422),
    ({"a": [serializers.ErrorDetail("x", code="invalid_url")], "b": [serializers.ErrorDetail("y", code="blank")]}, 422),
    # A shape problem anywhere makes the whole answer a 400: the request did not match the schema.
    ({"a": [serializers.ErrorDetail("x", code="does_not_exist")], "b": [serializers.ErrorDetail("y", code="null")]},
     400),
    ({"a": {"0": [serializers.ErrorDetail("x", code="max_length")]}}, 400),
])
def test_validation_status_is_400_for_the_shape_and_422_for_a_rule(detail, status):
    assert validation_status(serializers.ValidationError(detail)) == status


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_the_schema_closes_every_request_body(schema):
    components = schema["components"]["schemas"]
    requests = {name: body for name, body in components.items() if name.endswith("Request")}
    assert requests
    assert all(body.get("additionalProperties") is False for body in requests.values()
               if body.get("type") == "object" and "properties" in body), [
        name for name, body in requests.items() if body.get("additionalProperties") is not False]


def test_the_schema_states_the_bounds_the_api_enforces(schema):
    courses = schema["paths"]["/api/v1/courses/"]
    page_size = next(p for p in courses["get"]["parameters"] if p["name"] == "page_size")["schema"]["anyOf"][0]
    assert page_size == {"type": "integer", "minimum": 1}
    hours = schema["components"]["schemas"]["CourseListInputRequest"]["properties"]["hours_credited"]
    assert not re.fullmatch(hours["pattern"].strip("^$"), "")
    assert re.fullmatch(hours["pattern"].strip("^$"), "12.5") and not re.fullmatch(hours["pattern"].strip("^$"), "-1")
    responses = courses["post"]["responses"]
    assert {"400", "409", "422"} <= set(responses)


def _request_leaves(schema: dict):
    """(where, the schema of one value) for every value a request body takes, lists and nested objects included."""
    components = schema["components"]["schemas"]

    def walk(node: dict, where: str, seen: frozenset):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from walk(components[name], where, seen | {name})
            return
        for key in ("oneOf", "anyOf", "allOf"):
            for option in node.get(key, []):
                yield from walk(option, where, seen)
        yield where, node
        for name, child in node.get("properties", {}).items():
            yield from walk(child, f"{where}.{name}", seen)
        if "items" in node:
            yield from walk(node["items"], f"{where}[]", seen)

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from walk(content["schema"], f"{method.upper()} {path}", frozenset())


def test_every_integer_a_request_takes_states_a_range_within_64_bits(schema):
    """An integer the schema leaves unbounded is one the fuzzer sends past 2**63 - 1, where every id column ends
    (a 400 the schema did not announce); ids are read through lms.fields.Int64Field, which states the range."""
    unbounded = sorted({where for where, node in _request_leaves(schema)
                        if node.get("type") == "integer" and "enum" not in node
                        and not (-(2**63) <= node.get("minimum", -(2**64)) and node.get("maximum", 2**64) < 2**63)})
    assert unbounded == [], unbounded


def test_every_uploaded_file_asks_for_at_least_one_byte(schema):
    files = [(where, node) for where, node in _request_leaves(schema) if node.get("format") == "binary"]
    assert files
    assert [where for where, node in files if node.get("minLength") != 1] == []


@pytest.mark.parametrize(("arguments", "accepted", "refused"), [
    ({"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100},
     ["0", "5", "99.99", "100", "100.", "100.00", ".25", "07"], ["715", "100.01", "101", "-1", "", "1.234", "."]),
    ({"max_digits": 4, "decimal_places": 0, "min_value": 0, "max_value": 250},
     ["0", "199", "249", "250"], ["251", "260", "300", "1000", "2.5"]),
    ({"max_digits": 5, "decimal_places": 1, "min_value": 0}, ["0", "9999.9", ".5"], ["10000", "-1", "1.25"]),
    ({"max_digits": 5, "decimal_places": 2}, ["-999.99", "12"], ["1000", "--1"]),
])
def test_a_decimal_pattern_stops_at_a_whole_maximum(arguments, accepted, refused):
    field = serializers.DecimalField(**arguments)
    pattern = re.compile(decimal_pattern(field))
    assert [text for text in accepted if not pattern.fullmatch(text)] == []
    assert [text for text in refused if pattern.fullmatch(text)] == []
    for text in accepted:  # what the pattern lets through, the field takes
        field.run_validation(text)
