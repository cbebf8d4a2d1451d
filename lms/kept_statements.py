"""Statements run on every request of a hot path, with their SQL put together once per process and kept.

Two tools, used by the lesson write (courses/enrollments/services/kept_statements.py) and the certificate
issue (courses/certificates/issue_statements.py):

- ``kept_cursor()``: on PostgreSQL a cursor whose statements the server prepares (parses and plans) once
  per connection. Planning a lock over five joins took about 0.55 ms of the server on every request, more
  than running it. ``DATABASE_PREPARED_STATEMENTS=0`` turns it off (behind a pooler that does not carry
  prepared statements between clients); elsewhere it is the ordinary cursor.
- ``JoinedRow``: the column list of a hand-written join over several models, and the row it returns cut
  back into model instances with the converters the ORM applies, so the objects are what the ORM would
  have returned. Compiling such a query through the ORM took a few milliseconds of Python per request;
  only ids are bound at run time.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


@cache
def _prepared_classes() -> tuple[type, type]:
    """The Django PostgreSQL backend's server-binding cursor, every statement prepared (psycopg keeps the
    prepared statements per connection, keyed by the statement's text and its parameters' types), and
    Django's debug wrapper logging a statement's own text: psycopg has no text to show for a prepared one."""
    # Only on PostgreSQL: importing the backend elsewhere would load psycopg for nothing. The stubs omit
    # ServerBindingCursor (the backend defines it for psycopg 3 only).
    from django.db.backends.postgresql import base  # noqa: PLC0415

    server_binding: Any = base.ServerBindingCursor  # type: ignore[attr-defined]

    class PreparedCursor(server_binding):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class PreparedDebugWrapper(base.CursorDebugWrapper):
        def execute(self, sql, params=None):
            with self.debug_sql(sql, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedCursor, PreparedDebugWrapper


@contextlib.contextmanager
def kept_cursor() -> Iterator[Any]:
    """A cursor on the default connection for a statement run on every request: on PostgreSQL (unless
    ``DATABASE_PREPARED_STATEMENTS`` is off) its statements are prepared, parsed and planned once per
    connection; elsewhere the ordinary cursor. Wrapped as Django wraps its own, so errors are Django's and
    the statements are counted and logged like every other."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor_class, debug_wrapper = _prepared_classes()
    raw = cursor_class(connection.connection)
    with (debug_wrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)) as cursor:
        yield cursor


@dataclass(frozen=True)
class _Part:
    """One table of the join: where its columns start in the row, their attribute names and where its
    primary key is among them."""
    model: type[Model]
    start: int
    attnames: tuple[str, ...]
    pk_index: int


class JoinedRow:
    """The columns of ``parts`` (alias -> model, in the order they appear in the SELECT) and a reader of
    the row: every concrete field of each model, in the model's own order. Build it once per process."""

    def __init__(self, parts: Sequence[tuple[str, type[Model]]]) -> None:
        quote = connection.ops.quote_name
        columns: list[str] = []
        self.parts: dict[str, _Part] = {}
        converters = []
        for alias, model in parts:
            fields = tuple(model._meta.concrete_fields)
            self.parts[alias] = _Part(model, len(columns), tuple(field.attname for field in fields),
                                      fields.index(model._meta.pk))
            for field in fields:
                expression = field.get_col(alias)
                found = tuple(connection.ops.get_db_converters(expression)
                              + expression.get_db_converters(connection))
                if found:
                    converters.append((len(columns), found, expression))
                columns.append(f"{alias}.{quote(field.column)}")
        self.columns = ", ".join(columns)
        self.width = len(columns)
        self._converters = tuple(converters)

    def read(self, found: Sequence[Any]) -> dict[str, Any]:
        """Alias -> model instance (None where a LEFT JOIN found nothing), from the first ``width`` values."""
        row = list(found[:self.width])
        for index, converters, expression in self._converters:
            for converter in converters:
                row[index] = converter(row[index], expression, connection)
        loaded: dict[str, Any] = {}
        for alias, part in self.parts.items():
            values = row[part.start:part.start + len(part.attnames)]
            loaded[alias] = (None if values[part.pk_index] is None
                             else part.model.from_db(connection.alias, list(part.attnames), values))
        return loaded
