"""Helpers shared by the tests: the API's error shape, a signed-in browser, a page's text, what the OpenAPI
schema says of a request's property."""
from __future__ import annotations

import functools
import html
import re

from django.test import Client
from drf_spectacular.generators import SchemaGenerator


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is ``status`` with the one error shape {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


def stored_values(instance) -> dict:
    """Every concrete field's stored value of a model instance, by attribute name: two reads of one row compare
    field by field."""
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def signed_in(user) -> Client:
    """Django's test browser, signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    """A page's text with tags and repeated whitespace removed, entities decoded."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


@functools.cache
def _api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def request_property(method: str, path: str, *names: str, media_type: str | None = None) -> dict:
    """The schema of one property of an operation's request body, as /api/schema/ publishes it: ``names`` walk
    down from the body (``"items"`` steps into a list), following every ``$ref``."""
    components = _api_schema()["components"]["schemas"]

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    content = _api_schema()["paths"][path][method.lower()]["requestBody"]["content"]
    node = resolve(content[media_type or next(iter(content))]["schema"])
    for name in names:
        node = resolve(node["items"] if name == "items" else node["properties"][name])
    return node
