import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from tests import factories

# Parallel test processes (pytest -n) may share one Redis cache: each keeps to its own key prefix
# and clears only its own keys, so one process's clear never resets another's throttle counters.
_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
django_settings.CACHES["default"]["KEY_PREFIX"] = _PREFIX


def pytest_sessionstart(session):
    # `make test` compiles the catalogues too; this keeps a bare `pytest` run translated.
    from lms.translations import compile_translations

    compile_translations()


def _clear_cache() -> None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No signing key unless a test makes one (courses.credentials.keys.key_generate) in its own folder.
    settings.CREDENTIAL_KEYS_DIR = tmp_path / "credential-keys"
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
