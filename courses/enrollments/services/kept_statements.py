"""Statements of the progress write whose SQL is put together once per process and kept.

The one that opens "mark a lesson done" locks the learner's own enrollment and reads, in the same row,
everything the write and its answer use; the one that closes every result writes the enrollment's
recomputed figures (``enrollment_progress_save``).

The ORM can say the same thing (a ``FilteredRelation`` on the course's activities and five
``select_related`` joins), but compiling that query took about 3 ms of Python on every request, three
times what PostgreSQL spends running it. The joins never change, so the SQL is put together once per
database connection's vendor and kept; each request only binds its three ids. The row is cut into
model instances with the same converters the ORM applies (``lms.kept_statements.JoinedRow``), so the
objects are what the ORM would have returned.

The organization's LRS endpoint comes along: the xAPI events of the write then know, without a
query each, whether the organization sends statements (most do not).

On PostgreSQL these statements, and the write's insert-or-update, also go through ``kept_cursor``
(``lms.kept_statements``): the server prepares each once per connection. Planning the lock's five joins
took about 0.55 ms of the server's time on every request, three times what running it takes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from courses.catalog.models import Activity, Course, Module
from courses.enrollments.models import Enrollment
from courses.xapi.models import LrsEndpoint
from lms.kept_statements import JoinedRow, kept_cursor
from lms.models import Organization, User


@dataclass(frozen=True)
class _Statement:
    sql: str
    row: JoinedRow


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
    row = JoinedRow([(alias, model) for alias, model, _ in _JOINS])
    joins = [join.format(table=quote(model._meta.db_table), pk=quote(model._meta.pk.column),
                         user=quote("user_id"), course=quote("course_id"), organization=quote("organization_id"),
                         module=quote("module_id"), active=quote("is_active"))
             for _, model, join in _JOINS if join]
    lock = " FOR UPDATE OF e" if vendor == "postgresql" else ""
    # Only names from the models' metadata go into the text; the three ids are bound parameters.
    sql = (f"SELECT {row.columns} FROM {quote(Enrollment._meta.db_table)} e {' '.join(joins)} "  # noqa: S608
           f"WHERE e.{quote('id')} = %(enrollment)s AND e.{quote('user_id')} = %(user)s{lock}")
    return _Statement(sql, row)


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
    loaded = statement.row.read(found)
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
