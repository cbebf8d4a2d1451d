"""The HR summary's rollup (``HrRollup``): build it from the enrollments, refresh what moved, rebuild.

Incremental by a task, not by the write paths: ``rollup_refresh`` (beat, every
``HR_ROLLUP_REFRESH_SECONDS``) compares each (organization, course) group's fingerprint — its enrollment
count and latest enrollment, certificate and membership change — with the one its rows were built from,
and rebuilds only the groups that moved (and drops the groups that are gone). A group built less than
``HR_ROLLUP_SETTLE_SECONDS`` after its latest change is built again on the next run, so a writer that
stamped a row but committed late is not missed. ``rollup_rebuild`` builds everything from scratch.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Max, Q
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import HrRollup, HrRollupGroup
from lms.models import Membership

BUILD_CHUNK_ROWS = 5000
Kind = HrRollup.Kind
Cell = tuple[int, int | None, int, date | None, int]  # course, department, kind, bucket, value


def duration_bucket(seconds: float) -> int:
    """Days to complete as a histogram bucket in tenths of a day (its lower bound): exact to 0.1 day
    below 30 days, to 1 day up to 365 days, to 10 days beyond."""
    tenths = int(seconds // 8640)
    if tenths < 300:
        return tenths
    if tenths < 3650:
        return tenths - tenths % 10
    return tenths - tenths % 100


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def _month(value: datetime) -> date:
    return _day(value).replace(day=1)


def _cells(rows: Iterable[tuple]) -> dict[Cell, list]:
    """Enrollment tuples -> {cell: [count, score_sum, score_count]}."""
    cells: dict[Cell, list] = {}

    def add(course: int, department: int | None, kind: int, bucket: date | None, value: int = 0,
            score: Decimal | None = None) -> None:
        cell = cells.setdefault((course, department, kind, bucket, value), [0, Decimal(0), 0])
        cell[0] += 1
        if score is not None:
            cell[1] += score
            cell[2] += 1

    for course, department, status, enrolled_at, completed_at, score, due_at, cert_status, cert_expires in rows:
        add(course, department, Kind.ENROLLED, _month(enrolled_at))
        if status == Enrollment.Status.COMPLETED and completed_at is not None:
            add(course, department, Kind.COMPLETED, _month(completed_at), score=score)
        if completed_at is not None:
            seconds = (completed_at - enrolled_at).total_seconds()
            add(course, department, Kind.DURATION, None, duration_bucket(seconds))
        if status == Enrollment.Status.ACTIVE and due_at is not None:
            add(course, department, Kind.ACTIVE_DUE, _day(due_at))
        if cert_status == "valid":
            add(course, department, Kind.CERTIFICATE_VALID, _day(cert_expires) if cert_expires else None)
    return cells


def _build(organization_id: int, course_ids: list[int] | None) -> list[HrRollup]:
    queryset = Enrollment.objects.alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    ).filter(organization_id=organization_id)
    if course_ids is not None:
        queryset = queryset.filter(course_id__in=course_ids)
    rows = queryset.values_list("course_id", "member__department_id", "status", "enrolled_at", "completed_at",
                                "final_score", "due_at", "certificate__status", "certificate__expires_at")
    cells = _cells(rows.order_by().iterator(chunk_size=BUILD_CHUNK_ROWS))
    return [HrRollup(organization_id=organization_id, course_id=course, department_id=department, kind=kind,
                     bucket=bucket, value=value, count=count, score_sum=score_sum, score_count=score_count)
            for (course, department, kind, bucket, value), (count, score_sum, score_count) in cells.items()]


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
    HrRollup.objects.filter(organization_id=organization_id, course_id__in=course_ids).delete()
    rows = _build(organization_id, course_ids)
    HrRollup.objects.bulk_create(rows, batch_size=1000)
    HrRollupGroup.objects.filter(organization_id=organization_id, course_id__in=course_ids).delete()
    HrRollupGroup.objects.bulk_create([
        HrRollupGroup(organization_id=organization_id, course_id=course, enrollments=fp[0], enrollment_stamp=fp[1],
                      certificate_stamp=fp[2], membership_stamp=fp[3], built_at=built_at)
        for course in course_ids for fp in [fingerprints[(organization_id, course)]]
    ])
    return len(rows)


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
    return sum(_store(organization, sorted(courses), live, built_at)
               for organization, courses in by_organization.items())
