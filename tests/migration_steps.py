"""Moving the test database's schema back and forth for the tests of a data migration.

A test that steps back to before a migration must leave the schema where every other test expects it:
at the newest migration of every app (what ``leaf_nodes`` names), not merely at the migration under test,
or the tests after it run against a schema missing every later migration.
"""
from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def newest() -> list[tuple[str, str]]:
    """Every app's newest migration: the schema the models describe."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
