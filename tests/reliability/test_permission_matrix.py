"""The permission matrix: every API operation, called by every role, against the table kept in
tests/reliability/permission_table.py. An operation without a row fails, with the observed row printed
ready to review and paste.

Each call runs in a savepoint that is rolled back, so one role's successful write does not change
what the next role sees. Bodies are empty JSON objects: a 400 means "allowed in, but the input is
wrong", which is enough to tell permissions apart. No call may answer 5xx.
"""
from __future__ import annotations

import pytest
from django.db import transaction

from tests.reliability.permission_table import EXPECTED, SERVER_ERRORS_ALLOWED
from tests.reliability.routes import api_operations
from tests.reliability.world import ROLES, build_world, fill

OPERATIONS = api_operations()


def observe(world, operation) -> list[int]:
    path = fill(operation.route, world)
    statuses = []
    for role in ROLES:
        client = world.client(role)
        with transaction.atomic():
            call = getattr(client, operation.method.lower())
            if operation.method in {"POST", "PUT", "PATCH"}:
                response = call(path, {}, format="json")
            else:
                response = call(path)
            transaction.set_rollback(True)
        statuses.append(response.status_code)
    return statuses


def row(operation, statuses) -> str:
    return f'    "{operation.key}": "{" ".join(map(str, statuses))}",'


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.key for op in OPERATIONS])
def test_every_role_gets_the_expected_status(operation, settings, tmp_path):
    settings.VERIFY_MIN_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world()
    statuses = observe(world, operation)
    if operation.key not in SERVER_ERRORS_ALLOWED:
        assert all(status < 500 for status in statuses), f"server error:\n{row(operation, statuses)}"
    expected = EXPECTED.get(operation.key)
    assert expected is not None, (
        f"{operation.key} has no row in tests/reliability/permission_table.py. Observed (roles "
        f"{' '.join(ROLES)}); check each status, then add:\n{row(operation, statuses)}")
    assert " ".join(map(str, statuses)) == expected, (
        f"roles:    {' '.join(ROLES)}\nexpected: {expected}\nobserved: {' '.join(map(str, statuses))}")


def test_the_table_has_no_rows_for_operations_that_are_gone():
    stale = set(EXPECTED) - {op.key for op in OPERATIONS}
    assert not stale, f"rows for operations that no longer exist: {sorted(stale)}"
