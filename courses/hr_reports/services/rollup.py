"""The HR summary's rollup (``HrRollup``): build it from the enrollments, refresh what moved, rebuild.

Incremental by a task, not by the write paths: ``rollup_refresh`` (beat, every
``HR_ROLLUP_REFRESH_SECONDS``) compares each (organization, course) group's fingerprint — its enrollment
count and latest enrollment, certificate and membership change — with the one its rows were built from,
and rebuilds only the groups that moved (and drops the groups that are gone). A group built less than
``HR_ROLLUP_SETTLE_SECONDS`` after its latest change is built again on the next run, so a writer that
stamped a row but committed late is not missed. ``rollup_rebuild`` builds everything from scratch.

Both end with the snapshot of today's due enrollments (``Kind.DUE_TODAY``): for every group, the active
enrollments due between midnight (UTC) and the run's minute, rewritten at every run whether or not a
group moved, so the summary reads only the enrollments due since that minute from the enrollments table.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import HrRollup, HrRollupGroup
from courses.hr_reports.rollup_read import snapshot_minute, snapshot_moment
from lms.models import Membership

Kind = HrRollup.Kind


def duration_bucket(seconds: float) -> int:
    """Days to complete as a histogram bucket in tenths of a day (its lower bound): exact to 0.1 day
    below 30 days, to 1 day up to 365 days, to 10 days beyond."""
    tenths = int(seconds // 8640)
    if tenths < 300:
        return tenths
    if tenths < 3650:
        return tenths - tenths % 10
    return tenths - tenths % 100


class _DurationTenths(Func):
    """Whole tenths of a day from enrollment to completion, floored (``seconds // 8640``), in SQL."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None,
               **extra_context):  # PostgreSQL: an exact numeric epoch
        return super().as_sql(compiler, connection, template=(
            "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 8640)::integer"), arg_joiner=" - ", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):  # integer microseconds, floored division
        diff = "django_timestamp_diff(%(expressions)s)"
        return super().as_sql(compiler, connection, template=(
            f"(CASE WHEN {diff} >= 0 THEN {diff} / 8640000000 ELSE -((8639999999 - {diff}) / 8640000000) END)"),
            arg_joiner=", ", **extra_context)


def duration_bucket_sql(tenths: F) -> Case:
    """``duration_bucket`` as an SQL expression over whole tenths of a day (same precision steps)."""
    return Case(When(**{f"{tenths.name}__lt": 300}, then=tenths),
                When(**{f"{tenths.name}__lt": 3650}, then=tenths - tenths % 10),
                default=tenths - tenths % 100, output_field=IntegerField())


def _utc_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=UTC)


def _utc_month(field: str) -> Cast:
    return Cast(TruncMonth(field, tzinfo=UTC), DateField())


def _cell_querysets(organization_id: int, course_ids: list[int] | None) -> list[tuple[int, QuerySet]]:
    """One grouped query per kind: (kind, rows of course, department, bucket, value, count, sums)."""
    base = Enrollment.objects.alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    ).filter(organization_id=organization_id)
    if course_ids is not None:
        base = base.filter(course_id__in=course_ids)
    no_day, zero = Cast(Value(None), DateField()), Value(0, output_field=IntegerField())
    Status = Enrollment.Status
    kinds = [
        (Kind.ENROLLED, base, _utc_month("enrolled_at"), zero),
        (Kind.COMPLETED, base.filter(status=Status.COMPLETED, completed_at__isnull=False),
         _utc_month("completed_at"), zero),
        (Kind.DURATION, base.filter(completed_at__isnull=False).alias(
            tenths=_DurationTenths(F("completed_at"), F("enrolled_at"))), no_day, duration_bucket_sql(F("tenths"))),
        (Kind.ACTIVE_DUE, base.filter(status=Status.ACTIVE, due_at__isnull=False), _utc_day("due_at"), zero),
        (Kind.CERTIFICATE_VALID, base.filter(certificate__status="valid"), _utc_day("certificate__expires_at"),
         zero),
    ]
    return [(kind, queryset.annotate(
        c_course=F("course_id"), c_department=F("member__department_id"), c_bucket=bucket, c_value=value,
    ).values("c_course", "c_department", "c_bucket", "c_value").annotate(
        c_count=Count("id"), c_score_sum=Coalesce(Sum("final_score"), Value(Decimal(0)), output_field=DecimalField()),
        c_score_count=Count("final_score"),
    ).order_by()) for kind, queryset, bucket, value in kinds]


def _build(organization_id: int, course_ids: list[int] | None) -> int:
    """INSERT ... SELECT ... GROUP BY per kind: no enrollment row passes through Python; rows written."""
    table = connection.ops.quote_name(HrRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(HrRollup._meta.get_field(name).column))  # type: ignore[union-attr]
                        for name in (
        "organization", "course", "department", "kind", "bucket", "value", "count", "score_sum", "score_count"))
    written = 0
    with connection.cursor() as cursor:
        for kind, queryset in _cell_querysets(organization_id, course_ids):
            sql, params = queryset.query.sql_with_params()
            insert = (f"INSERT INTO {table} ({columns}) SELECT %s, c_course, c_department, %s, c_bucket, "  # noqa: S608
                      f"c_value, c_count, c_score_sum, c_score_count FROM ({sql}) cells")  # quoted names, ORM SQL
            cursor.execute(insert, (organization_id, int(kind), *params))
            written += cursor.rowcount
    return written


def _fingerprints(organization_id: int | None) -> dict[tuple[int, int], tuple]:
    enrollments = Enrollment.objects.filter(organization__isnull=False)
    memberships = Membership.objects.all()
    if organization_id is not None:
        enrollments = enrollments.filter(organization_id=organization_id)
        memberships = memberships.filter(organization_id=organization_id)
    membership_stamps = dict(memberships.values("organization_id").annotate(stamp=Max("updated_at"))
                             .order_by().values_list("organization_id", "stamp"))
    return {
        (row["organization_id"], row["course_id"]): (row["enrollments"], row["enrollment_stamp"],
                                                     row["certificate_stamp"],
                                                     membership_stamps.get(row["organization_id"]))
        for row in enrollments.values("organization_id", "course_id").annotate(
            enrollments=Count("id"), enrollment_stamp=Max("updated_at"),
            certificate_stamp=Max("certificate__updated_at")).order_by()
    }


def _needs_build(group: HrRollupGroup | None, fingerprint: tuple, settle: timedelta) -> bool:
    if group is None:
        return True
    if (group.enrollments, group.enrollment_stamp, group.certificate_stamp, group.membership_stamp) != fingerprint:
        return True
    stamps = [stamp for stamp in fingerprint[1:] if stamp is not None]
    return bool(stamps) and group.built_at <= max(stamps) + settle


@transaction.atomic
def _store(organization_id: int, course_ids: list[int], fingerprints: dict, built_at: datetime) -> int:
    HrRollup.objects.filter(organization_id=organization_id, course_id__in=course_ids).exclude(
        kind=Kind.DUE_TODAY).delete()  # the snapshot is rewritten for every group at the end of the run
    written = _build(organization_id, course_ids)
    HrRollupGroup.objects.filter(organization_id=organization_id, course_id__in=course_ids).delete()
    HrRollupGroup.objects.bulk_create([
        HrRollupGroup(organization_id=organization_id, course_id=course, enrollments=fp[0], enrollment_stamp=fp[1],
                      certificate_stamp=fp[2], membership_stamp=fp[3], built_at=built_at)
        for course in course_ids for fp in [fingerprints[(organization_id, course)]]
    ])
    return written


def rollup_refresh(*, organization_id: int | None = None) -> int:
    """Rebuild the groups whose fingerprint moved, drop the groups that are gone; the groups rebuilt."""
    built_at = timezone.now()
    settle = timedelta(seconds=settings.HR_ROLLUP_SETTLE_SECONDS)
    live = _fingerprints(organization_id)
    groups = HrRollupGroup.objects.all()
    if organization_id is not None:
        groups = groups.filter(organization_id=organization_id)
    stored = {(group.organization_id, group.course_id): group for group in groups}
    gone = [key for key in stored if key not in live]
    with transaction.atomic():
        for organization, course in gone:
            HrRollup.objects.filter(organization_id=organization, course_id=course).delete()
            HrRollupGroup.objects.filter(organization_id=organization, course_id=course).delete()
    stale: dict[int, list[int]] = {}
    for key, fingerprint in live.items():
        if _needs_build(stored.get(key), fingerprint, settle):
            stale.setdefault(key[0], []).append(key[1])
    for organization, course_ids in stale.items():
        _store(organization, sorted(course_ids), live, built_at)
    _snapshot_due_today(organization_id, timezone.now())
    return sum(len(course_ids) for course_ids in stale.values())


@transaction.atomic
def rollup_rebuild(*, organization_id: int | None = None) -> int:
    """Everything from scratch (for one organization, or all): the number of rollup rows written."""
    rows, groups = HrRollup.objects.all(), HrRollupGroup.objects.all()
    if organization_id is not None:
        rows, groups = rows.filter(organization_id=organization_id), groups.filter(organization_id=organization_id)
    rows.delete()
    groups.delete()
    built_at = timezone.now()
    live = _fingerprints(organization_id)
    by_organization: dict[int, list[int]] = {}
    for organization, course in live:
        by_organization.setdefault(organization, []).append(course)
    written = sum(_store(organization, sorted(courses), live, built_at)
                  for organization, courses in by_organization.items())
    return written + _snapshot_due_today(organization_id, built_at)


@transaction.atomic
def _snapshot_due_today(organization_id: int | None, now: datetime) -> int:
    """Rewrite ``Kind.DUE_TODAY``: per group, the active enrollments due from midnight (UTC) to ``now``'s
    minute; each organization with groups gets at least one row (count 0 if none fell due), so a read
    knows the minute its count runs to. One grouped INSERT ... SELECT; the rows written."""
    minute = snapshot_minute(now)
    moment = snapshot_moment(minute)
    midnight = datetime.combine(moment.date(), datetime.min.time(), tzinfo=UTC)
    rows = HrRollup.objects.filter(kind=Kind.DUE_TODAY)
    groups = HrRollupGroup.objects.all()
    enrollments = Enrollment.objects.filter(organization__isnull=False)
    if organization_id is not None:
        rows, groups = rows.filter(organization_id=organization_id), groups.filter(organization_id=organization_id)
        enrollments = enrollments.filter(organization_id=organization_id)
    rows.delete()
    due = enrollments.alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    ).filter(status=Enrollment.Status.ACTIVE, due_at__gte=midnight, due_at__lt=moment).values(
        "organization_id", "course_id", "member__department_id").annotate(count=Count("id")).order_by()
    made = [HrRollup(organization_id=row["organization_id"], course_id=row["course_id"],
                     department_id=row["member__department_id"], kind=Kind.DUE_TODAY, bucket=moment.date(),
                     value=minute, count=row["count"]) for row in due]
    covered = {row.organization_id for row in made}
    first_courses = groups.exclude(organization_id__in=covered).values("organization_id").annotate(
        course=Min("course_id")).order_by()
    made += [HrRollup(organization_id=row["organization_id"], course_id=row["course"], kind=Kind.DUE_TODAY,
                      bucket=moment.date(), value=minute, count=0) for row in first_courses]
    HrRollup.objects.bulk_create(made, batch_size=1000)
    return len(made)
