"""Every /api/ address answers in the API's error shape, also when nothing routes it and DEBUG is on
(Django's handler404 is not used then: it would draw its HTML debug page)."""
from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNROUTABLE = [
    ("get", "/api/v1/no-such-thing/"),
    ("get", "/api/v1/courses/x/y/z/"),
    ("post", "/api/nothing"),
    ("post", "/api/v1/no-such-thing/"),
    ("put", "/api/v2/courses/"),
    ("delete", "/api/v1/workshops/sessions/not-an-id/"),
    ("patch", "/api/v1/reports/exports/99999999999999999999/"),
    ("get", "/api/"),
]


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_unroutable_api_paths_answer_the_json_404(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    problems = []
    for method, path in UNROUTABLE:
        response = getattr(client, method)(path, content_type="application/json")
        content_type = response.get("Content-Type", "")
        try:
            error = response.json()["error"] if content_type.startswith("application/json") else None
        except ValueError:
            error = None
        if response.status_code != 404 or error is None or error.get("code") != "not_found" \
                or not error.get("message") or error.get("fields") != {}:
            problems.append(f"{method.upper()} {path}: {response.status_code} {content_type} {response.content[:99]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_pages_outside_the_api_keep_their_html_404(settings, debug):
    settings.DEBUG = debug
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_an_api_path_without_its_slash_still_redirects(settings, debug):
    settings.DEBUG = debug
    response = Client().get("/api/v1/health")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/health/"
