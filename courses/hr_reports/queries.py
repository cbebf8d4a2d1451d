"""HR completion reports: who may see which rows, the row query, and the CSV / NDJSON / XLSX renderers.

The rule for which enrollments an organization sees: an enrollment belongs to the organization it
was taken for (``Enrollment.organization``), and only that organization's HR (and org admins, and
its API keys) see it. A learner who belongs to two organizations appears in each one's report only
with the enrollments taken for it, and each row shows the employee id, department and manager of
the membership in *that* organization.

One row per enrollment, fetched with one query (joins, no query per row) and streamed from a
server-side cursor. Every format is built from the same tuples, in the same order — (updated_at, id),
the keyset the JSON cursor walks — so JSON, CSV and NDJSON agree.
"""
from __future__ import annotations

import base64
import binascii
import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports import rollup_read
from courses.hr_reports.errors import ReportError, ReportErrorCode
from courses.hr_reports.routers import replayed_through
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.fields import int64_fits
from lms.models import REPORT_ROLES, Organization
from lms.scoping import is_unrestricted, organization_ids_for
from lms.spreadsheets import neutralize

STREAM_CHUNK_ROWS = 2000  # rows per server-side cursor fetch
CSV_FLUSH_ROWS = 500  # rows per chunk sent to the client

# (column, database field or None for a computed one). The documented column list (README).
COLUMNS: list[str] = [
    "enrollment_id", "organization", "employee_id", "name", "email", "department", "manager_name",
    "manager_email", "course_slug", "course_title", "language", "enrolled_at", "due_at", "status", "overdue",
    "progress_percent", "completed_at", "final_score", "time_spent_seconds", "certificate_code",
    "certificate_verify_url", "certificate_status", "certificate_expires_at", "last_activity_at", "updated_at",
]
FIELDS = [
    "id", "organization__slug", "member__employee_id", "user__first_name", "user__last_name", "user__email",
    "member__department__name", "member__manager__user__first_name", "member__manager__user__last_name",
    "member__manager__user__email", "course__slug", "course__title", "course__language", "enrolled_at", "due_at",
    "status", "progress_percent", "completed_at", "final_score", "time_spent_seconds", "certificate__code",
    "certificate__status", "certificate__expires_at", "last_activity_at", "updated_at",
]


# --- scope ---------------------------------------------------------------------------------

def reports_database() -> str:
    """The replica alias when REPORTS_DATABASE_URL configured one, else the default database."""
    return "reports" if "reports" in settings.DATABASES else "default"


def report_organization_ids(actor: Any) -> set[int] | None:
    """Organizations whose report the actor reads; None means every one (superusers)."""
    if getattr(actor, "is_api_key", False):
        return {actor.organization_id}
    if is_unrestricted(actor):
        return None
    return organization_ids_for(actor, *REPORT_ROLES)


def resolve_organization(actor: Any, slug: str | None) -> Organization | None:
    """The organization named by ``slug`` if the actor reads its report (404 otherwise); None if no slug."""
    if not slug:
        return None
    allowed = report_organization_ids(actor)
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or (allowed is not None and organization.pk not in allowed):
        raise NotFound("No such organization.", code=PlatformErrorCode.ORGANIZATION_NOT_FOUND)
    return organization


def single_organization(actor: Any, slug: str | None) -> Organization:
    """For exports, webhooks and the dashboard: the named organization, or the actor's only one."""
    organization = resolve_organization(actor, slug)
    if organization is not None:
        return organization
    allowed = report_organization_ids(actor)
    if allowed is not None and len(allowed) == 1:
        return Organization.objects.get(pk=next(iter(allowed)))
    raise ReportError("Name the organization (`organization`: its slug).", code=ReportErrorCode.ORGANIZATION_REQUIRED,
                      fields={"organization": ["Required when you report on several organizations."]})


# --- filters and the row query -------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    organization: Organization | None = None
    course: str | None = None
    department: int | None = None
    manager: str | None = None
    status: str | None = None
    overdue: bool | None = None
    enrolled_after: datetime | None = None
    enrolled_before: datetime | None = None
    completed_after: datetime | None = None
    completed_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    updated_since: datetime | None = None

    def as_json(self) -> dict:
        """For the audit log and export jobs: only the filters given, as strings."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, Organization):
                value = value.slug
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out


def settled_before() -> datetime:
    """The sync's horizon: rows with a later updated_at are held back for the next call.

    A row can only slip behind a cursor if it becomes visible to the report's database after rows with a
    later (updated_at, id) were read. Two things delay visibility. (1) A writer stamps updated_at, then
    commits a little later: REPORTS_SYNC_LAG_SECONDS is the margin for that, so a row stamped before
    ``moment - margin`` has committed by ``moment``. (2) A standby shows a commit only once it has replayed
    it: ``routers.replayed_through()`` is the moment up to which it holds every commit (now on a primary or
    a caught-up standby, the last replayed commit's time on a lagging one). Every row stamped before
    ``replayed_through - margin`` is therefore already visible, and stays so; a later one waits."""
    visible_through = replayed_through(reports_database()) or timezone.now()
    return visible_through - timedelta(seconds=settings.REPORTS_SYNC_LAG_SECONDS)


def completions_queryset(*, actor: Any, filters: Filters) -> QuerySet:
    """Enrollments in the actor's report scope, filtered, ordered by (updated_at, id)."""
    queryset = Enrollment.objects.using(reports_database()).alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    )
    allowed = report_organization_ids(actor)
    if filters.organization is not None:
        queryset = queryset.filter(organization_id=filters.organization.pk)
    elif allowed is not None:
        queryset = queryset.filter(organization_id__in=sorted(allowed))
    else:
        queryset = queryset.filter(organization__isnull=False)
    now = timezone.now()
    conditions = {
        "course__slug": filters.course,
        "member__department_id": filters.department,
        "member__manager__user__email__iexact": filters.manager,
        "status": filters.status,
        "enrolled_at__gte": filters.enrolled_after,
        "enrolled_at__lt": filters.enrolled_before,
        "completed_at__gte": filters.completed_after,
        "completed_at__lt": filters.completed_before,
        "updated_at__gte": filters.updated_since or filters.updated_after,
        "updated_at__lt": filters.updated_before,
    }
    queryset = queryset.filter(**{key: value for key, value in conditions.items() if value is not None})
    if filters.updated_since and filters.updated_after:
        queryset = queryset.filter(updated_at__gte=filters.updated_after)
    if filters.overdue is not None:
        overdue_q = Q(status=Enrollment.Status.ACTIVE, due_at__lt=now)
        queryset = queryset.filter(overdue_q if filters.overdue else ~overdue_q)
    return queryset.filter(updated_at__lte=settled_before()).order_by("updated_at", "id")


def _format_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset():  # the database hands back UTC; anything else is converted first
        value = value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def build_row(values: tuple, now: datetime, site_url: str) -> tuple:
    """A database tuple (``FIELDS``) -> a report row (``COLUMNS``), JSON-ready."""
    (pk, org, employee_id, first, last, email, department, m_first, m_last, m_email, slug, title, language,
     enrolled_at, due_at, status, progress, completed_at, score, seconds, code, cert_status, cert_expires,
     last_activity, updated_at) = values
    if code is None:
        certificate_status = None
    elif cert_status == "revoked":
        certificate_status = "revoked"
    elif cert_expires is not None and cert_expires <= now:
        certificate_status = "expired"
    else:
        certificate_status = "valid"
    return (
        pk, org, employee_id or "", _name(first, last), email, department or "", _name(m_first, m_last),
        m_email or "", slug, title, language, _format_datetime(enrolled_at), _format_datetime(due_at), status,
        status == "active" and due_at is not None and due_at < now, progress, _format_datetime(completed_at),
        str(score) if score is not None else None, seconds, code or "",
        f"{site_url}/verify/{code}/" if code else "", certificate_status, _format_datetime(cert_expires),
        _format_datetime(last_activity), _format_datetime(updated_at),
    )


def iter_rows(queryset: QuerySet, *, chunk_size: int = STREAM_CHUNK_ROWS) -> Iterator[tuple]:
    """Report rows from a server-side cursor (PostgreSQL) or chunked reads: constant memory."""
    now, site_url = timezone.now(), settings.SITE_URL
    for values in queryset.values_list(*FIELDS).iterator(chunk_size=chunk_size):
        yield build_row(values, now, site_url)


def page_rows(queryset: QuerySet, *, limit: int) -> list[tuple]:
    now, site_url = timezone.now(), settings.SITE_URL
    return [build_row(values, now, site_url) for values in queryset.values_list(*FIELDS)[:limit]]


def as_dict(row: tuple) -> dict:
    return dict(zip(COLUMNS, row, strict=True))


# --- the sync cursor ----------------------------------------------------------------------

def encode_cursor(row: tuple) -> str:
    """The position after ``row``: its (updated_at, id), opaque to clients."""
    return encode_position(row[COLUMNS.index("updated_at")], row[0])


def encode_position(stamp: str, pk: int) -> str:
    """The cursor after (stamp, pk): a row's (updated_at, id) or a tombstone's (deleted_at, enrollment id)."""
    raw = json.dumps([stamp, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, pk = json.loads(raw)
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if moment.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool) or not int64_fits(pk):
            raise ValueError
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ReportError("The cursor is not valid.", code=ReportErrorCode.INVALID_CURSOR,
                          fields={"cursor": ["Use the cursor a previous page returned."]}) from None
    return moment, pk


def after_cursor(queryset: QuerySet, cursor: str) -> QuerySet:
    """Rows strictly after the cursor in (updated_at, id) order. The ``>=`` bound lets PostgreSQL start
    the index range scan at the cursor instead of filtering from the beginning."""
    moment, pk = decode_cursor(cursor)
    return queryset.filter(Q(updated_at__gte=moment) & (Q(updated_at__gt=moment) | Q(id__gt=pk)))


# --- renderers -----------------------------------------------------------------------------

def _csv_cell(cell: Any) -> Any:
    """Booleans as ``true``/``false``, None empty, formula-like text quoted (``lms.spreadsheets``)."""
    if cell is None:
        return ""
    if cell is True:
        return "true"
    if cell is False:
        return "false"
    return neutralize(cell)


class _Line:
    """csv.writer target that hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[tuple], *, bom: bool = False) -> Iterator[bytes]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    head = ("\ufeff" if bom else "") + writer.writerow(COLUMNS)
    yield head.encode()
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([_csv_cell(cell) for cell in row]))
        if len(batch) >= CSV_FLUSH_ROWS:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def ndjson_chunks(rows: Iterable[tuple]) -> Iterator[bytes]:
    batch: list[str] = []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in rows:
        batch.append(dumps(as_dict(row)))
        if len(batch) >= CSV_FLUSH_ROWS:
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


# --- the summary ---------------------------------------------------------------------------

class _Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``; NULLs (enrollments not completed) are ignored."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _days(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# Filters the rollup answers (with the organization scope); any other one sends the summary to live_summary.
ROLLUP_FILTERS = frozenset({"organization", "course", "department"})


def _rollup_serves(filters: Filters) -> bool:
    return all(getattr(filters, name) is None for name in Filters.__dataclass_fields__ if name not in ROLLUP_FILTERS)


def summary(*, actor: Any, filters: Filters, overall: bool = False) -> dict:
    """Per course and per department: enrolled, completed, completion rate, overdue, average final score,
    median days from enrollment to completion, valid certificates and those expiring within 30 days.

    From the rollup (two queries, ``rollup_read``) when the filters are only organization, course and
    department and the rollup holds rows in scope; otherwise from the live aggregate (``live_summary``).
    """
    if _rollup_serves(filters):
        organization = filters.organization
        scope = {organization.pk} if organization is not None else report_organization_ids(actor)
        result = rollup_read.rollup_summary(using=reports_database(), organization_ids=scope, course=filters.course,
                                            department=filters.department, now=timezone.now(), overall=overall)
        if result is not None:
            return result
    return live_summary(actor=actor, filters=filters, overall=overall)


def live_summary(*, actor: Any, filters: Filters, overall: bool = False) -> dict:
    """The summary aggregated from the enrollments themselves: one aggregate query per grouping on
    PostgreSQL (the median is ``percentile_cont``); elsewhere the median comes from a second, narrow query."""
    now = timezone.now()
    base = completions_queryset(actor=actor, filters=filters).order_by()
    valid_certificate = Q(certificate__status="valid") & (
        Q(certificate__expires_at__isnull=True) | Q(certificate__expires_at__gt=now))
    aggregates = {
        "enrolled": Count("id"),
        "completed": Count("id", filter=Q(status=Enrollment.Status.COMPLETED)),
        "overdue": Count("id", filter=Q(status=Enrollment.Status.ACTIVE, due_at__lt=now)),
        "average_score": Avg("final_score", filter=Q(status=Enrollment.Status.COMPLETED)),
        "valid_certificates": Count("certificate", filter=valid_certificate),
        "certificates_expiring_30_days": Count("certificate", filter=valid_certificate & Q(
            certificate__expires_at__lte=now + timedelta(days=30))),
    }
    duration = ExpressionWrapper(F("completed_at") - F("enrolled_at"), output_field=DurationField())
    postgres = connections[reports_database()].vendor == "postgresql"
    if postgres:
        aggregates["median_duration"] = _Median(duration)
    groupings = {
        "by_course": (["organization__slug", "course__slug", "course__title"],
                      lambda r: {"organization": r["organization__slug"], "course": r["course__slug"],
                                 "course_title": r["course__title"]}),
        "by_department": (["organization__slug", "member__department__name"],
                          lambda r: {"organization": r["organization__slug"],
                                     "department": r["member__department__name"] or ""}),
    }
    if overall:  # HR's home: each organization's totals too ("overall"), one more grouping
        groupings["overall"] = (["organization__slug"], lambda r: {"organization": r["organization__slug"]})
    result: dict[str, list[dict]] = {}
    for name, (keys, label) in groupings.items():
        rows = list(base.values(*keys).annotate(**aggregates).order_by(*keys))
        if not postgres:
            durations: dict[tuple, list[timedelta]] = {}
            for values in base.filter(completed_at__isnull=False).annotate(duration=duration).values(*keys,
                                                                                                     "duration"):
                durations.setdefault(tuple(values[k] for k in keys), []).append(values["duration"])
            for row in rows:
                row["median_duration"] = _median(durations.get(tuple(row[k] for k in keys), []))
        result[name] = [{
            **label(row),
            "enrolled": row["enrolled"], "completed": row["completed"],
            "completion_rate": round(row["completed"] / row["enrolled"], 4) if row["enrolled"] else 0.0,
            "overdue": row["overdue"],
            "average_score": (str(Decimal(row["average_score"]).quantize(Decimal("0.01")))
                              if row["average_score"] is not None else None),
            "median_days_to_complete": _days(row["median_duration"]),
            "valid_certificates": row["valid_certificates"],
            "certificates_expiring_30_days": row["certificates_expiring_30_days"],
        } for row in rows]
    return result


def _month_start(value: datetime | None) -> bool:
    return value is None or (value.astimezone(UTC).day == 1 and value.astimezone(UTC).time() == datetime.min.time())



def completions_by_month(*, organization: Organization, months: int = 12,
                         filters: Filters | None = None) -> tuple[list[str], dict[str, list[int]]]:
    """Completions per calendar month (UTC) and department, for the dashboard chart: month labels and
    one series per department. Course, department and month-aligned completion dates are read from the
    rollup (counting completed enrollments); any other filter from the enrollments themselves."""
    filters = filters or Filters()
    now = timezone.now()
    months_back = [(now.year * 12 + now.month - 1) - back for back in range(months - 1, -1, -1)]
    labels = [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in months_back]
    first = datetime(months_back[0] // 12, months_back[0] % 12 + 1, 1, tzinfo=UTC)
    served = ROLLUP_FILTERS | {"completed_after", "completed_before"}
    rollup = (all(getattr(filters, name) is None for name in Filters.__dataclass_fields__ if name not in served)
              and _month_start(filters.completed_after) and _month_start(filters.completed_before))
    if filters.completed_after is not None:
        first = max(first, filters.completed_after)
    rows = None
    if rollup:
        before = filters.completed_before.astimezone(UTC).date() if filters.completed_before else None
        found = rollup_read.rollup_completions_by_month(
            using=reports_database(), organization_id=organization.pk, first=first.astimezone(UTC).date(),
            course=filters.course, department=filters.department)
        if found is not None:
            rows = [(month, department, count) for month, department, count in found if not before or month < before]
    if rows is None:
        rows = _live_completions_by_month(organization, first, filters)
    series: dict[str, list[int]] = {}
    for month, department, count in rows:
        label = month.strftime("%Y-%m")
        if label in labels:
            series.setdefault(department or "(no department)", [0] * months)[labels.index(label)] += count
    return labels, dict(sorted(series.items()))


def _live_completions_by_month(organization: Organization, first: datetime, filters: Filters) -> list[tuple]:
    now = timezone.now()
    queryset = (Enrollment.objects.using(reports_database())
                .alias(member=FilteredRelation("user__memberships",
                                               condition=Q(user__memberships__organization_id=F("organization_id"))))
                .filter(organization=organization, completed_at__gte=first))
    conditions = {
        "course__slug": filters.course, "member__department_id": filters.department,
        "member__manager__user__email__iexact": filters.manager, "status": filters.status,
        "enrolled_at__gte": filters.enrolled_after, "enrolled_at__lt": filters.enrolled_before,
        "completed_at__lt": filters.completed_before,
        "updated_at__gte": filters.updated_since or filters.updated_after, "updated_at__lt": filters.updated_before,
    }
    queryset = queryset.filter(**{key: value for key, value in conditions.items() if value is not None})
    if filters.overdue is not None:
        overdue_q = Q(status=Enrollment.Status.ACTIVE, due_at__lt=now)
        queryset = queryset.filter(overdue_q if filters.overdue else ~overdue_q)
    rows = (queryset.annotate(month=TruncMonth("completed_at")).values("month", "member__department__name")
            .annotate(count=Count("id")).order_by())
    return [(row["month"], row["member__department__name"], row["count"]) for row in rows]
