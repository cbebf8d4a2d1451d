"""Every HTML page answers with the security headers: a Content-Security-Policy without inline
scripts, X-Content-Type-Options nosniff, Referrer-Policy and X-Frame-Options, whatever its status
(200, redirect, 400, 404, 405 or 500) and whoever asks (anonymous, learner, HR, superuser).

The page list is read from the URL configuration, so a new page cannot be added without being
walked here: every non-API route must have a concrete address below.
"""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses.reminders import messages as reminder_messages
from tests import factories

pytestmark = pytest.mark.django_db

NOT_PAGES = ("api/v1/", "api/schema/", "admin/", "media/", "static/")
EXPECTED_POLICY = {
    "default-src": "'self'", "script-src": "'self'", "object-src": "'none'", "base-uri": "'self'",
    "form-action": "'self'", "frame-ancestors": "'none'",
}


def page_routes() -> list[str]:
    """Every route of the site outside the JSON API and the admin (the admin is walked by model)."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    # (media/ is served by a regex route when the URLconf was first loaded with DEBUG on.)
    return sorted(route for route in found if not route.lstrip("^").startswith(NOT_PAGES))


def assert_security_headers(path: str, response) -> None:
    where = f"{path} ({response.status_code})"
    policy = response.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {where}"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    for name, value in EXPECTED_POLICY.items():
        assert directives.get(name) == value, (where, name, directives.get(name))
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") == "same-origin", where
    assert response.get("X-Frame-Options") == "DENY", where


@pytest.fixture
def people(org):
    learner = factories.member(org, "learner", user__email="learner@example.com")
    hr = factories.member(org, "hr", user__email="hr@example.com")
    root = factories.UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    return {"anonymous": None, "learner": learner, "hr": hr, "superuser": root}


def concrete(route: str, learner) -> str:
    """A real address for a route: real tokens where the page reads one, made-up ids elsewhere
    (an unknown id must answer with the headers too)."""
    values = {
        "slug": "empathy-basics", "code": "NOTACODE42",
        **{name: "1" for name in ("activity_id", "session_id", "attempt_id", "performance_id", "scenario_id",
                                  "example_id", "rating_id", "rendition_id", "image_id", "certificate_id",
                                  "question_id", "enrollment_id", "module_id", "workshop_id", "registration_id",
                                  "rubric_id", "endpoint_id", "delivery_id", "user_id", "export_id",
                                  "cycle_id", "invitation_id", "consent_id")},
        "prefix": "NotAKey1",
        "format": "webp", "language": "en", "scim_id": "00000000-0000-4000-8000-000000000000", "name": "User",
        "urn": "urn:ietf:params:scim:schemas:core:2.0:User", "rest": "Unknown",
        "uidb64": urlsafe_base64_encode(force_bytes(learner.pk)),
        "token": reminder_messages.unsubscribe_token(learner.pk, "inactivity") if route.startswith("unsubscribe/")
        else "not-a-reset-token",
    }

    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        return values[name]

    return "/" + re.sub(r"<([^>]+)>", fill, route)


def test_the_walk_knows_every_page():
    routes = page_routes()
    for expected in ("sign-in/", "password-reset/", "password-reset/<uidb64>/<token>/", "verify/<str:code>/",
                     "unsubscribe/<str:token>/", "reports/dashboard/", "api/docs/", "i18n/setlang/"):
        assert expected in routes
    assert len(routes) >= 20


@pytest.mark.parametrize("who", ["anonymous", "learner", "hr", "superuser"])
def test_every_page_carries_the_security_headers(people, who, figure):
    client = Client()
    if people[who] is not None:
        client.force_login(people[who])
    paths = [concrete(route, people["learner"]) for route in page_routes()]
    paths += ["/api/docs/?script=", "/admin/login/", "/no-such-page/"]
    statuses = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert_security_headers(path, response)
        statuses.add(response.status_code)
    # The walk met real pages, not only errors: the sign-in form, the docs, HR's workspace for HR.
    assert client.get("/sign-in/").status_code in (200, 302)
    assert client.get("/api/docs/").status_code == 200
    if who == "hr":
        assert client.get("/hr/").status_code == 200 and client.get("/hr/people/").status_code == 200
    assert 200 in statuses and 404 in statuses
    figure("page addresses checked for security headers", len(paths))


def test_every_admin_page_carries_the_security_headers(people, figure):
    client = Client()
    client.force_login(people["superuser"])
    paths = ["/admin/", "/admin/password_change/", f"/admin/lms/user/{people['learner'].pk}/change/",
             f"/admin/lms/user/{people['learner'].pk}/password/", "/admin/privacy/retention/"]
    for model in admin.site._registry:
        meta = model._meta
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)  # 403: models nobody adds by hand
        assert_security_headers(path, response)
    figure("page addresses checked for security headers", len(paths))


def test_error_pages_carry_the_security_headers(monkeypatch):
    client = Client(raise_request_exception=False)
    response = client.post("/sign-in/", {"username": "nobody@example.com", "password": "x"})
    assert response.status_code == 400
    assert_security_headers("/sign-in/", response)
    response = client.get("/sign-out/")
    assert response.status_code == 405
    assert_security_headers("/sign-out/", response)

    def broken(*args, **kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr("courses.certificates.pages.verification_payload", broken)
    response = client.get("/verify/NOTACODE42/")
    assert response.status_code == 500
    assert_security_headers("/verify/NOTACODE42/", response)
