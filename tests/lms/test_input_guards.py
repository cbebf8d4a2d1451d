"""The guards in front of every view: the JSON parser (depth, NUL, lone surrogates), NUL characters
in addresses, and the names uploaded files are stored under."""
from __future__ import annotations

import pytest
from django.test import Client

from lms.uploads import upload_stem
from tests import factories
from tests.helpers import assert_error


@pytest.fixture
def client(db):
    user = factories.UserFactory()
    client = Client()
    client.force_login(user)
    return client


def test_json_nested_past_the_recursion_limit_is_a_400(client):
    body = b'{"first_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_error(client.patch("/api/v1/me/", body, content_type="application/json"), 400, "parse_error")


@pytest.mark.parametrize(("body", "field"), [
    (b'{"kinds": {"a\\u0000b": true}}', "kinds.a\x00b"),
    (b'{"kinds": {"inactivity": true}, "quiet_days": ["\\ud800"]}', "quiet_days.0"),
    (b'{"first_name": "\\udfff"}', "first_name"),
])
def test_nul_and_lone_surrogates_anywhere_in_json_are_a_422_naming_the_value(client, body, field):
    url = "/api/v1/me/notification-preferences/" if b"kinds" in body else "/api/v1/me/"
    error = assert_error(client.patch(url, body, content_type="application/json"), 422, "invalid")
    [(name, _)] = error["fields"].items()
    assert name == field.encode("utf-8", "backslashreplace").decode()


def test_emoji_written_as_a_surrogate_pair_is_fine(client):
    response = client.patch("/api/v1/me/", b'{"first_name": "Sam \\ud83d\\ude00"}', content_type="application/json")
    assert response.status_code == 200 and response.json()["first_name"] == "Sam \U0001f600"


@pytest.mark.parametrize("url", ["/api/v1/verify/ab%00cd/", "/api/v1/courses/?category=%00"])
def test_a_nul_in_an_api_address_is_a_json_422(client, url):
    assert_error(client.get(url), 422, "unstorable_text")


def test_a_nul_in_a_page_address_is_a_400(client):
    response = client.get("/verify/ab%00cd/")
    assert response.status_code == 400 and b"NUL" in response.content


@pytest.mark.parametrize(("name", "stem"), [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot"), ("/tmp/x.pdf", "x"), ("CON.pdf", "con-file"),
    ("lpt1.wav", "lpt1-file"), ("..", "fallback"), (".htaccess", "fallback"), ("<script>.pdf", "script"),
    ("n" * 500 + ".pdf", "n" * 40), ("Relatório final.pdf", "relatorio-final"),
])
def test_upload_names_are_built_not_taken(name, stem):
    assert upload_stem(name, default="fallback", max_length=40) == stem
