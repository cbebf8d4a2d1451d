import os
import shutil
from collections import defaultdict
from pathlib import Path

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

# Each test process counts its requests and tasks in a metrics folder of its own (prometheus_client reads
# the variable when a counter is first touched and at every scrape, both after this), so parallel test
# processes never move each other's counters in tests/lms/test_metrics.py.
_METRICS_DIR = Path(django_settings.VAR_DIR) / f"metrics-{_PREFIX}"
shutil.rmtree(_METRICS_DIR, ignore_errors=True)
_METRICS_DIR.mkdir(parents=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_METRICS_DIR)


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
    # No signing key unless a test makes one (courses.certificates.credentials.keys.key_generate) in its own folder.
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


# --- figures of the reliability and fault-injection tests, printed at the end of the run ----------
# A test reports a figure with the `figure` fixture: `figure("faults injected", 3)`. Figures travel
# in the test report's user_properties, so the controller sums them across parallel (xdist) workers.
# They live here, not in tests/reliability/, so the worker-kill tests beside the code report too.

FIGURE_PREFIX = "figure:"


@pytest.fixture
def figure(request):
    def record(name: str, value: int | float) -> None:
        request.node.user_properties.append((FIGURE_PREFIX + name, value))

    return record


def _call_reports(terminalreporter):
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if report.when == "call":
            yield report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    cases = operations = 0
    totals: dict[str, float] = defaultdict(int)
    for report in _call_reports(terminalreporter):
        values = [value for name, value in report.user_properties if name == "fuzz_cases"]
        if values:
            operations += 1
            cases += values[-1]
        for name, value in report.user_properties:
            if name.startswith(FIGURE_PREFIX):
                totals[name[len(FIGURE_PREFIX):]] += value
    if operations:
        terminalreporter.write_sep("-", f"API fuzzing: {cases} generated requests over {operations} operations, "
                                   "each sent as one of 8 roles; every schemathesis check passed (no 5xx, answers "
                                   "as documented, schema-violating requests refused, schema-valid ones never "
                                   "refused for their shape)")
    if totals:
        terminalreporter.write_sep("-", "reliability figures")
        for name in sorted(totals):
            value = totals[name]
            terminalreporter.write_line(f"  {name}: {value:g}" if isinstance(value, float) else f"  {name}: {value}")
