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
