import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No signing key unless a test makes one (courses.credentials.keys.key_generate) in its own folder.
    settings.CREDENTIAL_KEYS_DIR = tmp_path / "credential-keys"
    cache.clear()  # throttle counters must not leak between tests
    yield
    cache.clear()


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
