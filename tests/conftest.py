import os

import pytest
from django.core.cache import cache, caches
from rest_framework.test import APIClient

from tests import factories


def pytest_configure(config) -> None:
    # Under xdist the workers share one Redis cache: give each its own key prefix, so one worker's
    # cleanup (below) never wipes the throttle counters of a test running in the other.
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and "redis" in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES["default"]["KEY_PREFIX"] = f"test-{worker}"


def _clear_cache() -> None:
    """Throttle counters must not leak between tests. On a shared Redis, only this worker's keys go."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(caches["default"], RedisCache) and cache.key_prefix:
        client = caches["default"]._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """An API client signed in as ``user`` (force-authenticated, as the session would be)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def org(db):
    return factories.OrganizationFactory()


@pytest.fixture
def other_org(db):
    return factories.OrganizationFactory()
