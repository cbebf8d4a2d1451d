"""The certificate issue's statements, their SQL put together once per process and kept (``lms.kept_statements``).

A bulk completion has a worker issue thousands of certificates one after another, and each used to cost
about a dozen ORM statements: the enrollment's lock, a look for its certificate, the new row, its two
events, the enrollment's bump for HR's sync, the rendered row's update, a savepoint around the insert and a
look for webhook endpoints after the commit. On the benchmark's machine they took about 15 of the 35 ms a
certificate cost (the Python that built them, the round trips, the server planning the lock's joins); the
two statements below take about 2.5 ms.

``enrollment_locked`` is one statement on both databases: the enrollment locked (PostgreSQL), with its
learner, course, both organizations, the active LRS endpoint, the certificate it may already have, whether
any webhook endpoint is active, and, on PostgreSQL when a new certificate is to be made, the id the new row
will take (drawn from the table's own sequence, so the credential, whose status-list bit is the id, can be
signed before the row is written).

``certificate_insert`` (PostgreSQL) then writes the new, rendered certificate, its events and the
enrollment's bump (what ``enrollments_touch`` does) in one statement. Values are prepared by the model's
fields, as the ORM's INSERT prepares them. SQLite takes the ORM's statements instead.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from courses.catalog.models import Course
from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import WebhookEndpoint
from courses.xapi.models import LrsEndpoint
from lms.kept_statements import JoinedRow, kept_cursor
from lms.models import Organization, User


@dataclass(frozen=True)
class Locked:
    enrollment: Enrollment  # with its learner, course (and the course's organization) and organization loaded
    certificate: Certificate | None  # the one it has, if any
    reserved_id: int | None  # the new certificate's id: PostgreSQL, asked for, completed and none yet
    webhooks: bool  # whether any webhook endpoint is active (only then can "certificate.issued" be delivered)


_PARTS = (("e", Enrollment), ("u", User), ("c", Course), ("co", Organization), ("o", Organization),
          ("x", LrsEndpoint), ("k", Certificate))


@cache
def _lock_statement(vendor: str) -> tuple[str, JoinedRow]:
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    row = JoinedRow(_PARTS)
    if vendor == "postgresql":
        reserve = (f"CASE WHEN %(reserve)s AND k.{quote('id')} IS NULL AND e.{quote('status')} = %(completed)s "
                   f"THEN nextval(pg_get_serial_sequence('{Certificate._meta.db_table}', 'id')) END")
        lock = " FOR UPDATE OF e"
    else:
        reserve, lock = "NULL", ""
    # Only names from the models' metadata go into the text; the enrollment's id is a bound parameter.
    sql = (f"SELECT {row.columns}, {reserve}, EXISTS (SELECT 1 FROM {table(WebhookEndpoint)} w "  # noqa: S608
           f"WHERE w.{quote('is_active')}) FROM {table(Enrollment)} e "
           f"INNER JOIN {table(User)} u ON u.{quote('id')} = e.{quote('user_id')} "
           f"INNER JOIN {table(Course)} c ON c.{quote('id')} = e.{quote('course_id')} "
           f"LEFT OUTER JOIN {table(Organization)} co ON co.{quote('id')} = c.{quote('organization_id')} "
           f"LEFT OUTER JOIN {table(Organization)} o ON o.{quote('id')} = e.{quote('organization_id')} "
           f"LEFT OUTER JOIN {table(LrsEndpoint)} x ON x.{quote('organization_id')} = e.{quote('organization_id')} "
           f"AND x.{quote('is_active')} "
           f"LEFT OUTER JOIN {table(Certificate)} k ON k.{quote('enrollment_id')} = e.{quote('id')} "
           f"WHERE e.{quote('id')} = %(enrollment)s{lock}")
    return sql, row


def enrollment_locked(enrollment_id: int, *, reserve: bool = False) -> Locked | None:
    """Lock the enrollment and read what issuing its certificate needs (see the module's docstring); None
    when there is no such enrollment. ``reserve``: draw the id of a new certificate when one is to be made.
    Runs inside the caller's transaction."""
    sql, row = _lock_statement(connection.vendor)
    with kept_cursor() as cursor:
        cursor.execute(sql, {"enrollment": enrollment_id, "reserve": reserve,
                             "completed": Enrollment.Status.COMPLETED})
        found = cursor.fetchone()
    if found is None:
        return None
    loaded = row.read(found)
    enrollment, course, organization, certificate = loaded["e"], loaded["c"], loaded["o"], loaded["k"]
    enrollment.user, enrollment.course, enrollment.organization = loaded["u"], course, organization
    course.organization = loaded["co"]
    if organization is not None:
        Organization.lrs_endpoint.related.set_cached_value(organization, loaded["x"])
    if certificate is not None:
        certificate.enrollment = enrollment
    reserved, webhooks = found[row.width:]
    return Locked(enrollment, certificate, reserved, bool(webhooks))


@cache
def _insert_statement(events: int) -> str:
    quote = connection.ops.quote_name
    fields = Certificate._meta.concrete_fields
    event_columns = ", ".join(quote(name) for name in ("certificate_id", "kind", "actor_id", "at", "detail"))
    event_inserts = "".join(
        f", e{n} AS (INSERT INTO {quote(CertificateEvent._meta.db_table)} ({event_columns}) "  # noqa: S608
        f"SELECT k.{quote('id')}, %s, NULL, %s, %s FROM k)" for n in range(events))
    return (f"WITH k AS (INSERT INTO {quote(Certificate._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(field.column) for field in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT DO NOTHING RETURNING {quote('id')}){event_inserts} "
            f"UPDATE {quote(Enrollment._meta.db_table)} SET {quote('updated_at')} = %s "
            f"WHERE {quote('id')} = %s AND EXISTS (SELECT 1 FROM k) RETURNING {quote('id')}")


def certificate_insert(certificate: Certificate, events: Sequence[tuple[str, datetime, dict[str, Any]]]) -> bool:
    """PostgreSQL: write ``certificate`` (its id reserved by ``enrollment_locked``), its ``events`` (kind, time,
    detail: the trail lists them by time) and its enrollment's ``updated_at`` in one statement. False, and
    nothing written, when a row with its enrollment or code exists already."""
    now = timezone.now()
    params = [field.get_db_prep_save(field.pre_save(certificate, True), connection)
              for field in Certificate._meta.concrete_fields]
    detail = CertificateEvent._meta.get_field("detail")
    for kind, at, data in events:
        params += [kind, at, detail.get_db_prep_save(data, connection)]
    with kept_cursor() as cursor:
        cursor.execute(_insert_statement(len(events)), [*params, now, certificate.enrollment_id])
        written = cursor.fetchone() is not None
    if written:
        certificate._state.adding, certificate._state.db = False, connection.alias
    return written
