"""One world per test module (built once, rolled back at the end), and the database snapshot
that tells whether a refused request wrote anything."""
from __future__ import annotations

import functools
import hashlib

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
def _tables() -> list[str]:
    existing = set(connection.introspection.table_names())
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)} & existing)


def row_counts() -> dict[str, int]:
    """Rows per table of every model, in one query."""
    tables = _tables()
    quote = connection.ops.quote_name
    # Table names come from the models, quoted.
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def content_digest() -> str:
    """A hash of every row of every table: also sees an UPDATE that row counts miss."""
    digest = hashlib.sha256()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608
            digest.update(table.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def snapshot():
    return content_digest
