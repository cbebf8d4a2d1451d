import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from tests import factories


def _clear_cache() -> None:
    """Forget throttle counters between tests. A Redis cache is shared by the xdist workers, and
    clear() is a FLUSHDB that would reset another worker's counters in the middle of its throttle
    test: there, delete only this worker's keys (its own KEY_PREFIX, set below)."""
    backend = caches["default"]
    prefix = backend.key_prefix
    if prefix and isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No signing key unless a test makes one (courses.credentials.keys.key_generate) in its own folder.
    settings.CREDENTIAL_KEYS_DIR = tmp_path / "credential-keys"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and "redis" in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{worker}"}}
    _clear_cache()  # throttle counters must not leak between tests
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
