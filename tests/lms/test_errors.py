"""One error shape for every failure: {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from lms.models import Membership, UserToken
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def person(org):
    return factories.member(org, "org_admin", user__email="olivia@example.com")


def test_400_malformed_json_writes_nothing(api_client, person):
    response = api_client.post(TOKEN_URL, data='{"email": "olivia@example.com", "password": ',
                               content_type="application/json")
    error = assert_error(response, 400, "parse_error")
    assert "JSON" in error["message"]
    assert UserToken.objects.count() == 0


def test_400_validation_errors_list_fields(client_for, person, org):
    response = client_for(person).post(f"/api/v1/organizations/{org.slug}/memberships/",
                                       {"email": "bad", "roles": "learner"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["message"] == "The request has invalid fields."
    assert set(error["fields"]) == {"email", "roles"}
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    assert Membership.objects.filter(organization=org).count() == 1


def test_400_bad_content_length(api_client):
    response = api_client.generic("POST", TOKEN_URL, data=b"{}", content_type="application/json",
                                  CONTENT_LENGTH="lots")
    assert_error(response, 400, "bad_request")


def test_401_without_credentials(api_client):
    error = assert_error(api_client.get("/api/v1/me/"), 401, "not_authenticated")
    assert error["message"] == "Authentication credentials were not provided."
    assert api_client.get("/api/v1/me/")["WWW-Authenticate"] == "Token"


def test_401_bad_credentials(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(api_client.get("/api/v1/me/"), 401, "authentication_failed")


def test_403_api_key_on_a_people_only_endpoint(org):
    _, raw = factories.api_key_for(org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(client.get("/api/v1/me/"), 403, "permission_denied")


def test_404_inside_the_api(client_for, person):
    assert_error(client_for(person).get("/api/v1/organizations/nope/departments/"), 404, "not_found")


def test_404_for_an_unknown_api_url(api_client):
    assert_error(api_client.get("/api/v1/no-such-endpoint/"), 404, "not_found")


def test_404_outside_the_api_is_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_405(client_for, person):
    error = assert_error(client_for(person).put("/api/v1/me/", {"first_name": "x"}), 405, "method_not_allowed")
    assert "PUT" in error["message"]


def test_413_body_larger_than_the_limit_writes_nothing(api_client, person, settings):
    settings.API_MAX_BODY_BYTES = 200
    body = json.dumps({"email": "olivia@example.com", "password": "correct horse battery", "name": "x" * 300})
    response = api_client.post(TOKEN_URL, data=body, content_type="application/json")
    error = assert_error(response, 413, "request_too_large")
    assert "200" in error["message"]
    assert UserToken.objects.count() == 0
    # The same request under the limit goes through.
    small = json.dumps({"email": "olivia@example.com", "password": "correct horse battery"})
    assert len(small) <= 200
    assert api_client.post(TOKEN_URL, data=small, content_type="application/json").status_code == 201


def test_413_does_not_apply_the_json_limit_to_uploads(client_for, person, org, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.API_MAX_BODY_BYTES = 100
    csv = b"email,first_name\n" + b"".join(f"p{n}@example.com,P\n".encode() for n in range(10))
    response = client_for(person).post(f"/api/v1/organizations/{org.slug}/memberships/import/",
                                       {"file": SimpleUploadedFile("people.csv", csv)}, format="multipart")
    assert response.status_code == 200, response.content
    settings.UPLOAD_MAX_BYTES = 100
    response = client_for(person).post(f"/api/v1/organizations/{org.slug}/memberships/import/",
                                       {"file": SimpleUploadedFile("people.csv", csv)}, format="multipart")
    assert_error(response, 413, "request_too_large")


def test_415_text_plain(api_client, person):
    response = api_client.post(TOKEN_URL, data="email=olivia@example.com", content_type="text/plain")
    error = assert_error(response, 415, "unsupported_media_type")
    assert "text/plain" in error["message"]
    assert UserToken.objects.count() == 0


@pytest.mark.urls("tests.lms.error_urls")
def test_500_from_an_api_view_is_generic(api_client, caplog):
    error = assert_error(api_client.get("/api/test/drf-crash/"), 500, "server_error")
    assert "secret" not in error["message"] and error["fields"] == {}
    assert any("boom" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


@pytest.mark.urls("tests.lms.error_urls")
def test_500_from_a_plain_view_under_api_is_generic():
    client = APIClient(raise_request_exception=False)
    error = assert_error(client.get("/api/test/django-crash/"), 500, "server_error")
    assert "secret" not in error["message"]


@pytest.mark.urls("tests.lms.error_urls")
def test_django_errors_are_translated(api_client):
    error = assert_error(api_client.get("/api/test/django-validation/"), 422, "invalid")
    assert error["fields"] == {"timezone": ["'Mars/Olympus' is not an IANA time zone name."]}
    assert_error(api_client.get("/api/test/django-permission/"), 403, "permission_denied")
    assert_error(api_client.get("/api/test/django-404/"), 404, "not_found")


@pytest.mark.urls("tests.lms.error_urls")
def test_a_dropped_database_connection_is_a_503_with_retry_after(api_client):
    error = assert_error(api_client.get("/api/test/database-gone/"), 503, "service_unavailable")
    assert "secret" not in error["message"] and "Try again" in error["message"]
    assert int(api_client.get("/api/test/database-gone/")["Retry-After"]) >= 1


def test_400_multipart_with_too_many_fields_writes_nothing(client_for, person, org, settings):
    """Django's multipart parser refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (found by the fuzzer)."""
    membership = factories.MembershipFactory(organization=org, roles=["org_admin"])
    before = Membership.objects.count()
    payload = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)}
    response = client_for(membership.user).post(f"/api/v1/organizations/{org.slug}/memberships/import/", payload,
                                                format="multipart")
    assert_error(response, 400, "bad_request")
    assert Membership.objects.count() == before


def test_415_form_encoding_on_a_json_endpoint(client_for, person, org):
    """Form encodings read "" as "not sent"; JSON endpoints refuse them instead of guessing."""
    response = client_for(person).post(f"/api/v1/organizations/{org.slug}/departments/", {"name": ""},
                                       format="multipart")
    assert_error(response, 415)


@pytest.mark.parametrize("path", ["/verify/AAAAAAAAAAAAAAAAAAAA/", "/api/v1/", "/admin/login/"])
def test_pages_and_api_carry_the_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
