"""The HR summary and the completions chart read from the rollup (``HrRollup``; built by services/rollup.py).

Three queries whatever the size: the rollup rows in scope, collapsed by the database to one per organization x
course x department and kind (and histogram bucket); and the "edge" enrollments whose verdict changes during
today — active ones due since the rollup's snapshot of today (``Kind.DUE_TODAY``, rewritten each refresh: what
fell due from midnight (UTC) to the refresh's minute), or since midnight for an organization without one;
valid certificates expiring between now and midnight, or on the day thirty days ahead — since the rollup keeps
due and expiry days, not verdicts. Medians come from the days-to-complete histogram (``duration_bucket``):
exact to 0.1 day below 30 days, to 1 day up to a year, to 10 days beyond (the bucket's lower bound, so the
figure may read low by at most that much).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FilteredRelation, Max, Q, Sum

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import HrRollup, HrRollupGroup

Kind = HrRollup.Kind
SNAPSHOT_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # Kind.DUE_TODAY's value: minutes since then


def snapshot_minute(moment: datetime) -> int:
    return int((moment - SNAPSHOT_EPOCH).total_seconds() // 60)


def snapshot_moment(minute: int) -> datetime:
    return SNAPSHOT_EPOCH + timedelta(minutes=minute)
GROUP_FIELDS = ("organization__slug", "course__slug", "course__title", "department__name")


class _Figures:
    """One summary row being added up."""

    def __init__(self) -> None:
        self.enrolled = self.completed = self.overdue = self.score_count = 0
        self.valid = self.expiring = 0
        self.score_sum = Decimal(0)
        self.durations: dict[int, int] = {}

    def median_days(self) -> float | None:
        total = sum(self.durations.values())
        if not total:
            return None
        wanted = {(total - 1) // 2, total // 2}
        picked, seen = [], 0
        for value, count in sorted(self.durations.items()):
            picked += [value] * sum(1 for position in wanted if seen <= position < seen + count)
            seen += count
        return round(sum(picked) / len(picked) / 10, 1)

    def as_dict(self) -> dict:
        return {
            "enrolled": self.enrolled, "completed": self.completed,
            "completion_rate": round(self.completed / self.enrolled, 4) if self.enrolled else 0.0,
            "overdue": self.overdue,
            "average_score": (str((self.score_sum / self.score_count).quantize(Decimal("0.01")))
                              if self.score_count else None),
            "median_days_to_complete": self.median_days(),
            "valid_certificates": self.valid, "certificates_expiring_30_days": self.expiring,
        }


def _scope(queryset: Any, organization_ids: set[int] | None, course: str | None, department: int | None,
           department_field: str) -> Any:
    if organization_ids is not None:
        queryset = queryset.filter(organization_id__in=sorted(organization_ids))
    if course is not None:
        queryset = queryset.filter(course__slug=course)
    if department is not None:
        queryset = queryset.filter(**{department_field: department})
    return queryset


def _add_rollup_row(figures: _Figures, kind: int, value: int, counts: tuple) -> None:
    total, past, valid, expiring, score_sum, score_count = counts
    if kind == Kind.ENROLLED:
        figures.enrolled += total
    elif kind == Kind.COMPLETED:
        figures.completed += total
        figures.score_sum += score_sum or 0
        figures.score_count += score_count or 0
    elif kind == Kind.DURATION:
        figures.durations[value] = figures.durations.get(value, 0) + total
    elif kind == Kind.ACTIVE_DUE:
        figures.overdue += past or 0
    elif kind == Kind.CERTIFICATE_VALID:
        figures.valid += valid or 0
        figures.expiring += expiring or 0


def _edges(now: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    """Today's midnight (UTC), tomorrow's, the midnight of the day thirty days ahead, and that moment."""
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    ahead = now + timedelta(days=30)
    return today, today + timedelta(days=1), datetime.combine(ahead.astimezone(UTC).date(), time(), tzinfo=UTC), ahead


def _rollup_rows(using: str, organization_ids: set[int] | None, course: str | None, department: int | None,
                 today: date) -> Any:
    """The rollup collapsed in the database to one row per group and kind (per histogram bucket for
    durations), due and expiry days already judged against today."""
    queryset = _scope(HrRollup.objects.using(using), organization_ids, course, department, "department_id")
    past, after = Q(bucket__lt=today), Q(bucket__gt=today)
    # Grouped by ids (integers sort fast); the labels ride along as Max() of one value per group.
    return (queryset.values("organization_id", "course_id", "department_id", "kind", "value").order_by()
            .annotate(**{f"label_{n}": Max(field) for n, field in enumerate(GROUP_FIELDS)},
                      total=Sum("count"), past=Sum("count", filter=past),
                      valid=Sum("count", filter=Q(bucket__isnull=True) | after),
                      expiring=Sum("count", filter=after & Q(bucket__lt=today + timedelta(days=30))),
                      scores=Sum("score_sum"), scored=Sum("score_count"))
            .values_list(*(f"label_{n}" for n in range(len(GROUP_FIELDS))), "kind", "value", "organization_id", "total",
                         "past", "valid", "expiring", "scores", "scored"))


def _due_since(midnight: datetime, snapshots: dict[int, datetime], organization_ids: set[int] | None) -> Q:
    """Due from the organization's snapshot minute (what the rollup counted runs to it), else from midnight."""
    by_moment: dict[datetime, list[int]] = {}
    for organization, moment in snapshots.items():
        by_moment.setdefault(moment, []).append(organization)
    condition = Q(pk__in=[])
    if organization_ids is None:
        condition = Q(due_at__gte=midnight) & ~Q(organization_id__in=sorted(snapshots))
    elif organization_ids - set(snapshots):  # named, so the index reads only their day
        condition = Q(due_at__gte=midnight, organization_id__in=sorted(organization_ids - set(snapshots)))
    for moment, organizations in sorted(by_moment.items()):
        condition |= Q(organization_id__in=sorted(organizations), due_at__gte=moment)
    return condition


def _edge_rows(*, using: str, organization_ids: set[int] | None, course: str | None, department: int | None,
               now: datetime, snapshots: dict[int, datetime]) -> list[tuple]:
    """Enrollments whose due or expiry moment falls on a partly elapsed day, counted per group as (labels,
    overdue, valid, expiring) judged against ``now``: two indexed queries (due: ``enrollment_active_due``,
    from each organization's snapshot minute, so about a minute of due dates; expiry: the certificates'
    (status, expires_at) index), each grouped by the database."""
    midnight, tomorrow, ahead_midnight, ahead = _edges(now)
    queryset = Enrollment.objects.using(using).alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    ).filter(organization__isnull=False)
    queryset = _scope(queryset, organization_ids, course, department, "member__department_id").order_by()
    labels = ("organization__slug", "course__slug", "course__title", "member__department__name")
    due = (queryset.filter(_due_since(midnight, snapshots, organization_ids), status=Enrollment.Status.ACTIVE,
                           due_at__lt=now)
           .values(*labels).annotate(overdue=Count("id")).values_list(*labels, "overdue"))
    today = Q(certificate__expires_at__gt=now, certificate__expires_at__lt=tomorrow)
    expiring = (queryset.filter(Q(certificate__status="valid") & (today | Q(
        certificate__expires_at__gte=ahead_midnight, certificate__expires_at__lte=ahead)))
        .values(*labels).annotate(valid=Count("id", filter=today), expiring=Count("id"))
        .values_list(*labels, "valid", "expiring"))
    out = [(*row, overdue, 0, 0) for *row, overdue in due]
    out += [(*row, 0, valid, count) for *row, valid, count in expiring]
    return out


def _snapshots(rows: list[tuple], now: datetime) -> dict[int, datetime]:
    """Each organization's snapshot of today's due enrollments, if it was taken today and not after ``now``
    (a stale one is ignored: its day's rows are in the due days already)."""
    found = {}
    for *_labels, kind, value, organization, _total, _past, _valid, _expiring, _scores, _scored in rows:
        moment = snapshot_moment(value) if kind == Kind.DUE_TODAY else None
        if moment is not None and moment.date() == now.astimezone(UTC).date() and moment <= now:
            found[organization] = moment
    return found


def rollup_summary(*, using: str, organization_ids: set[int] | None, course: str | None,
                   department: int | None, now: datetime, overall: bool = False) -> dict | None:
    """The summary (same shape as ``queries.summary``) from the rollup; None when the rollup holds nothing
    in scope (never built: the caller answers from the live query)."""
    today = now.astimezone(UTC).date()
    rows = list(_rollup_rows(using, organization_ids, course, department, today))
    if not rows:
        return None
    snapshots = _snapshots(rows, now)
    by_course: dict[tuple, _Figures] = {}
    by_department: dict[tuple, _Figures] = {}
    by_organization: dict[str, _Figures] = {}

    def groups(org: str, slug: str, title: str, department_name: str | None) -> list[_Figures]:
        found = [by_course.setdefault((org, slug, title), _Figures()),
                 by_department.setdefault((org, department_name or ""), _Figures())]
        return [*found, by_organization.setdefault(org, _Figures())] if overall else found

    for org, slug, title, department_name, kind, value, organization, *counts in rows:
        if kind == Kind.DUE_TODAY:  # an organization's marker row (count 0) makes no group of its own
            if counts[0] and snapshots.get(organization) == snapshot_moment(value):
                for figures in groups(org, slug, title, department_name):
                    figures.overdue += counts[0]
            continue
        for figures in groups(org, slug, title, department_name):
            _add_rollup_row(figures, kind, value, tuple(counts))
    for org, slug, title, department_name, overdue, valid, expiring in _edge_rows(
            using=using, organization_ids=organization_ids, course=course, department=department, now=now,
            snapshots=snapshots):
        for figures in groups(org, slug, title, department_name):
            figures.overdue += overdue
            figures.valid += valid
            figures.expiring += expiring
    result = {
        "by_course": [{"organization": org, "course": slug, "course_title": title, **figures.as_dict()}
                      for (org, slug, title), figures in sorted(by_course.items())],
        "by_department": [{"organization": org, "department": name, **figures.as_dict()}
                          for (org, name), figures in sorted(by_department.items())],
    }
    if overall:  # HR's home: each organization's totals
        result["overall"] = [{"organization": org, **figures.as_dict()}
                             for org, figures in sorted(by_organization.items())]
    return result


def rollup_completions_by_month(*, using: str, organization_id: int, first: date, course: str | None,
                                department: int | None) -> list[tuple[date, str | None, int]] | None:
    """(month, department name, completions) from the rollup's completions by month; None when the
    organization's rollup was never built (one more query, only when there is nothing to draw)."""
    queryset = _scope(HrRollup.objects.using(using), {organization_id}, course, department, "department_id")
    rows = (queryset.filter(kind=Kind.COMPLETED, bucket__gte=first)
            .values("bucket", "department__name").annotate(total=Sum("count")).order_by())
    found = [(row["bucket"], row["department__name"], row["total"]) for row in rows]
    if not found and not HrRollupGroup.objects.using(using).filter(organization_id=organization_id).exists():
        return None
    return found
