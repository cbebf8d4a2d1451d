"""One world per test module (built once, rolled back at the end), and the database snapshot
that tells whether a refused request wrote anything."""
from __future__ import annotations

import functools

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from tests.reliability.world import build_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    keys = tmp_path_factory.mktemp("keys")
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, override_settings(
            MEDIA_ROOT=str(media), CREDENTIAL_KEYS_DIR=keys, PASSWORD_HASHERS=FAST_HASHERS, VERIFY_MIN_SECONDS=0):
        # Throttles have their own tests; a 429 here would hide the answer under test.
        patch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                      dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "1000000/min"))
        outer = transaction.atomic()
        outer.__enter__()
        outer._from_testcase = True  # services may open durable blocks inside, as under TestCase
        try:
            world = build_world()
            world.extra["media_root"] = media
            world.extra["keys_dir"] = keys
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(module_world, db, settings):
    """The module's world; each test runs in its own savepoint, so nothing it writes outlives it."""
    settings.MEDIA_ROOT = str(module_world.extra["media_root"])
    settings.CREDENTIAL_KEYS_DIR = module_world.extra["keys_dir"]
    settings.VERIFY_MIN_SECONDS = 0
    return module_world


@functools.cache
def _snapshot_sql() -> tuple[list[str], str]:
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    names, columns = [], []
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
        table = model._meta.db_table
        if table not in existing or table in names:
            continue
        names.append(table)
        columns.append(f"(SELECT COUNT(*) FROM {quote(table)})")  # noqa: S608 (model table names, quoted)
        if any(field.name == "updated_at" for field in model._meta.concrete_fields):
            # An UPDATE leaves the count alone but moves the latest updated_at.
            names.append(f"{table}.updated_at")
            columns.append(f"(SELECT MAX({quote('updated_at')}) FROM {quote(table)})")  # noqa: S608
    return names, "SELECT " + ", ".join(columns)


def row_counts() -> dict[str, object]:
    """Rows per table of every model, and the latest updated_at where a table has one: one query."""
    names, sql = _snapshot_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(names, cursor.fetchone(), strict=True))
