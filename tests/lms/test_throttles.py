"""Throttling: 429 with Retry-After and the error shape, counted per client, user or key."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from lms.models import UserToken
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Small rates. DRF copies the rates onto the throttle class when it is imported, so patch there."""
    small = {"anon": "3/min", "user": "3/min", "api_key": "3/min", "strict": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", small)
    return small


def _assert_throttled(response) -> None:
    error = assert_error(response, 429, "throttled")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert f"{retry_after} seconds" in error["message"]


def test_anonymous_clients_are_throttled_by_address(rates):
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/v1/").status_code == 200
    _assert_throttled(client.get("/api/v1/"))
    other_address = APIClient(REMOTE_ADDR="10.0.0.2")
    assert other_address.get("/api/v1/").status_code == 200


def test_users_are_throttled_per_user(rates, org):
    first, second = factories.member(org), factories.member(org)
    clients = {}
    for user in (first, second):
        _, raw = factories.token_for(user)
        clients[user] = APIClient()
        clients[user].credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    for _ in range(3):
        assert clients[first].get("/api/v1/me/").status_code == 200
    _assert_throttled(clients[first].get("/api/v1/me/"))
    assert clients[second].get("/api/v1/me/").status_code == 200


def test_api_keys_are_throttled_per_key(rates, org):
    _, raw_a = factories.api_key_for(org, name="a")
    _, raw_b = factories.api_key_for(org, name="b")
    client_a, client_b = APIClient(), APIClient()
    client_a.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_a}")
    client_b.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_b}")
    for _ in range(3):
        assert client_a.get("/api/v1/organizations/").status_code == 200
    _assert_throttled(client_a.get("/api/v1/organizations/"))
    assert client_b.get("/api/v1/organizations/").status_code == 200


def test_token_creation_is_strictly_throttled_and_throttled_requests_write_nothing(rates, org):
    factories.member(org, user__email="lena@example.com")
    client = APIClient()
    credentials = {"email": "lena@example.com", "password": "correct horse battery"}
    assert client.post("/api/v1/auth/token/", credentials).status_code == 201
    assert_error(client.post("/api/v1/auth/token/", {**credentials, "password": "guess"}), 401)
    _assert_throttled(client.post("/api/v1/auth/token/", credentials))
    assert UserToken.objects.count() == 1


def test_default_rates_come_from_settings():
    from django.conf import settings

    assert set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"anon", "user", "api_key", "strict", "reports"}
    assert SimpleRateThrottle.THROTTLE_RATES["strict"] == settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["strict"]


def test_an_unreachable_cache_lets_requests_through_instead_of_failing_them(rates, org, settings, caplog):
    from tests.courses.certificates.conftest import free_port

    working = settings.CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    try:
        _, raw = factories.token_for(factories.member(org))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        for _ in range(5):  # beyond the 3/min rate: nothing counts while the cache is away
            assert client.get("/api/v1/me/").status_code == 200
        assert APIClient().get("/api/v1/").status_code == 200
    finally:
        settings.CACHES = working  # the shared teardown clears the cache
    assert any("throttle cache unavailable" in record.getMessage() for record in caplog.records)
def test_admin_login_is_strictly_throttled_per_address(rates):
    from django.test import Client

    factories.UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "boss@example.com", "password": "guess"})
        assert response.status_code == 200 and b"Please enter the correct" in response.content
    response = client.post("/admin/login/", {"username": "boss@example.com", "password": "correct horse battery"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 200  # reading the form is not counted
