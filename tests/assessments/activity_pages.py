import pytest


@pytest.fixture(autouse=True)
def _activity_address(settings):
    """Route the activity address through the registry (see urls.py here)."""
    settings.ROOT_URLCONF = "tests.assessments.activity_urls"
