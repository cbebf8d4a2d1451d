"""Statements of the progress write whose SQL is put together once per process and kept.

The one that opens "mark a lesson done" locks the learner's own enrollment and reads, in the same row,
everything the write and its answer use; the one that closes every result writes the enrollment's
recomputed figures (``enrollment_progress_save``).

The ORM can say the same thing (a ``FilteredRelation`` on the course's activities and five
``select_related`` joins), but compiling that query took about 3 ms of Python on every request, three
times what PostgreSQL spends running it. The joins never change, so the SQL is put together once per
database connection's vendor and kept; each request only binds its three ids. The row is cut into
model instances with the same converters the ORM applies, so the objects are what the ORM would have
returned.

The organization's LRS endpoint comes along: the xAPI events of the write then know, without a
query each, whether the organization sends statements (most do not).

On PostgreSQL these statements, and the write's insert-or-update, also go through ``kept_cursor``: the
server prepares each once per connection. Planning the lock's five joins took about 0.55 ms of the
server's time on every request, three times what running it takes.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model
from django.utils import timezone

from courses.catalog.models import Activity, Course, Module
from courses.enrollments.models import Enrollment
from courses.xapi.models import LrsEndpoint
from lms.models import Organization, User


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
    """One table of the statement: where its columns start in the row, their attribute names and where
    its primary key is among them (worked out with the statement, not on every request)."""
    model: type[Model]
    start: int
    fields: tuple[Any, ...]
    attnames: tuple[str, ...]
    pk_index: int

    @classmethod
    def of(cls, model: type[Model], start: int) -> _Part:
        fields = tuple(model._meta.concrete_fields)
        return cls(model, start, fields, tuple(field.attname for field in fields), fields.index(model._meta.pk))


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: dict[str, _Part]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, its expression)


# alias -> (model, join); the enrollment comes first, the joins in the order they need each other.
_JOINS: tuple[tuple[str, type[Model], str], ...] = (
    ("e", Enrollment, ""),
    ("u", User, "INNER JOIN {table} u ON u.{pk} = e.{user}"),
    ("c", Course, "INNER JOIN {table} c ON c.{pk} = e.{course}"),
    ("o", Organization, "LEFT OUTER JOIN {table} o ON o.{pk} = e.{organization}"),
    ("x", LrsEndpoint, "LEFT OUTER JOIN {table} x ON x.{organization} = e.{organization} AND x.{active}"),
    ("a", Activity, "LEFT OUTER JOIN {table} a ON a.{course} = e.{course} AND a.{pk} = %(activity)s"),
    ("m", Module, "LEFT OUTER JOIN {table} m ON m.{pk} = a.{module}"),
)


@cache
def _statement(vendor: str) -> _Statement:
    """The SQL and the row's layout, built once per database vendor from the models' own metadata."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    parts: dict[str, _Part] = {}
    converters = []
    joins = []
    for alias, model, join in _JOINS:
        part = _Part.of(model, len(columns))
        parts[alias] = part
        for field in part.fields:
            expression = field.get_col(alias)
            found = tuple(connection.ops.get_db_converters(expression) + expression.get_db_converters(connection))
            if found:
                converters.append((len(columns), found, expression))
            columns.append(f"{alias}.{quote(field.column)}")
        if join:
            joins.append(join.format(
                table=quote(model._meta.db_table), pk=quote(model._meta.pk.column),
                user=quote("user_id"), course=quote("course_id"), organization=quote("organization_id"),
                module=quote("module_id"), active=quote("is_active")))
    lock = " FOR UPDATE OF e" if vendor == "postgresql" else ""
    # Only names from the models' metadata go into the text; the three ids are bound parameters.
    sql = (f"SELECT {', '.join(columns)} FROM {quote(Enrollment._meta.db_table)} e {' '.join(joins)} "  # noqa: S608
           f"WHERE e.{quote('id')} = %(enrollment)s AND e.{quote('user_id')} = %(user)s{lock}")
    return _Statement(sql, parts, tuple(converters))


def _instance(row: list[Any], part: _Part) -> Any:
    """The part's model instance from its slice of the row; None for a LEFT JOIN that found nothing."""
    values = row[part.start:part.start + len(part.fields)]
    if values[part.pk_index] is None:
        return None
    return part.model.from_db(connection.alias, list(part.attnames), values)


def own_enrollment_locked(*, user_id: int, enrollment_id: int,
                          activity_id: int) -> tuple[Enrollment, Activity | None] | None:
    """Lock the enrollment ``enrollment_id`` if it is ``user_id``'s, with its learner, course, organization
    (and that organization's active LRS endpoint, or None), and the course's activity ``activity_id`` with
    its module (None when the course has no such activity). None when the enrollment is not theirs.

    Runs inside the caller's transaction."""
    statement = _statement(connection.vendor)
    with kept_cursor() as cursor:
        cursor.execute(statement.sql, {"enrollment": enrollment_id, "user": user_id, "activity": activity_id})
        found = cursor.fetchone()
    if found is None:
        return None
    row = list(found)
    for index, converters, expression in statement.converters:
        for converter in converters:
            row[index] = converter(row[index], expression, connection)
    loaded = {alias: _instance(row, part) for alias, part in statement.parts.items()}
    enrollment, course, organization = loaded["e"], loaded["c"], loaded["o"]
    enrollment.user, enrollment.course, enrollment.organization = loaded["u"], course, organization
    if organization is not None:
        Organization.lrs_endpoint.related.set_cached_value(organization, loaded["x"])
    activity = loaded["a"]
    if activity is not None:
        activity.course, activity.module = course, loaded["m"]
    return enrollment, activity


_PROGRESS_SAVED = ("progress_percent", "final_score", "last_activity_at", "time_spent_seconds", "status",
                   "completed_at", "updated_at")


@cache
def _progress_saved_fields() -> tuple[Field, ...]:
    return tuple(field for field in Enrollment._meta.concrete_fields if field.name in _PROGRESS_SAVED)


@cache
def _enrollment_progress_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in _progress_saved_fields())
    return f"UPDATE {quote(Enrollment._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608


def enrollment_progress_save(enrollment: Enrollment) -> None:
    """``enrollment.save(update_fields=_PROGRESS_SAVED)``, with the statement's text kept per process:
    building it through the ORM cost about as much Python as the rest of the recompute. Values are
    prepared by the fields themselves, as the ORM's UPDATE does, and ``updated_at`` is stamped as its
    ``auto_now`` would (the HR report's sync reads it)."""
    enrollment.updated_at = timezone.now()
    params = [field.get_db_prep_save(getattr(enrollment, field.attname), connection)
              for field in _progress_saved_fields()]
    with kept_cursor() as cursor:
        cursor.execute(_enrollment_progress_sql(connection.vendor), [*params, enrollment.pk])
