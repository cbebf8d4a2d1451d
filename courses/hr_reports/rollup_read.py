"""The HR summary and the completions chart read from the rollup (``HrRollup``; built by services/rollup.py).

Two queries whatever the size: the rollup rows in scope (a few per organization x course x department),
and the "edge" enrollments whose verdict changes today — active ones due between midnight (UTC) and now,
valid certificates expiring between now and midnight, and those on the day thirty days ahead — since the
rollup keeps due and expiry days, not verdicts. Medians come from the days-to-complete histogram
(``duration_bucket``): exact to 0.1 day below 30 days, to 1 day up to a year, to 10 days beyond (the
bucket's lower bound, so the figure may read low by at most that much).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, FilteredRelation, Q, Sum

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import HrRollup, HrRollupGroup

Kind = HrRollup.Kind
ROLLUP_FIELDS = ("organization__slug", "course__slug", "course__title", "department__name", "kind", "bucket",
                 "value", "count", "score_sum", "score_count")


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


def _add_rollup_row(figures: _Figures, kind: int, bucket: date | None, value: int, count: int,
                    score_sum: Decimal, score_count: int, today: date) -> None:
    if kind == Kind.ENROLLED:
        figures.enrolled += count
    elif kind == Kind.COMPLETED:
        figures.completed += count
        figures.score_sum += score_sum
        figures.score_count += score_count
    elif kind == Kind.DURATION:
        figures.durations[value] = figures.durations.get(value, 0) + count
    elif kind == Kind.ACTIVE_DUE and bucket is not None and bucket < today:
        figures.overdue += count
    elif kind == Kind.CERTIFICATE_VALID and (bucket is None or bucket > today):
        figures.valid += count
        if bucket is not None and bucket < today + timedelta(days=30):
            figures.expiring += count


def _edges(now: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    """Today's midnight (UTC), tomorrow's, the midnight of the day thirty days ahead, and that moment."""
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    ahead = now + timedelta(days=30)
    return today, today + timedelta(days=1), datetime.combine(ahead.astimezone(UTC).date(), time(), tzinfo=UTC), ahead


def _edge_rows(*, using: str, organization_ids: set[int] | None, course: str | None, department: int | None,
               now: datetime) -> Iterable[tuple]:
    """Enrollments whose due or expiry moment falls on a partly elapsed day: classified against ``now``."""
    today, tomorrow, ahead_midnight, ahead = _edges(now)
    queryset = Enrollment.objects.using(using).alias(
        member=FilteredRelation("user__memberships",
                                condition=Q(user__memberships__organization_id=F("organization_id"))),
    ).filter(organization__isnull=False)
    queryset = _scope(queryset, organization_ids, course, department, "member__department_id")
    valid = Q(certificate__status="valid")
    queryset = queryset.filter(
        Q(status=Enrollment.Status.ACTIVE, due_at__gte=today, due_at__lt=now)
        | (valid & Q(certificate__expires_at__gt=now, certificate__expires_at__lt=tomorrow))
        | (valid & Q(certificate__expires_at__gte=ahead_midnight, certificate__expires_at__lte=ahead)))
    return queryset.order_by().values_list(
        "organization__slug", "course__slug", "course__title", "member__department__name", "status", "due_at",
        "certificate__status", "certificate__expires_at")


def rollup_summary(*, using: str, organization_ids: set[int] | None, course: str | None,
                   department: int | None, now: datetime) -> dict | None:
    """The summary (same shape as ``queries.summary``) from the rollup; None when the rollup holds nothing
    in scope (never built: the caller answers from the live query)."""
    rows = list(_scope(HrRollup.objects.using(using), organization_ids, course, department, "department_id")
                .order_by().values_list(*ROLLUP_FIELDS))
    if not rows:
        return None
    today = now.astimezone(UTC).date()
    midnight, tomorrow, ahead_midnight, ahead = _edges(now)
    by_course: dict[tuple, _Figures] = {}
    by_department: dict[tuple, _Figures] = {}
    for org, slug, title, department_name, kind, bucket, value, count, score_sum, score_count in rows:
        for figures in (by_course.setdefault((org, slug, title), _Figures()),
                        by_department.setdefault((org, department_name or ""), _Figures())):
            _add_rollup_row(figures, kind, bucket, value, count, score_sum, score_count, today)
    for org, slug, title, department_name, status, due_at, cert_status, expires in _edge_rows(
            using=using, organization_ids=organization_ids, course=course, department=department, now=now):
        for figures in (by_course.setdefault((org, slug, title), _Figures()),
                        by_department.setdefault((org, department_name or ""), _Figures())):
            figures.overdue += status == Enrollment.Status.ACTIVE and due_at is not None and midnight <= due_at < now
            valid_today = cert_status == "valid" and expires is not None and now < expires < tomorrow
            figures.valid += valid_today
            figures.expiring += valid_today or (cert_status == "valid" and expires is not None
                                                and ahead_midnight <= expires <= ahead)
    return {
        "by_course": [{"organization": org, "course": slug, "course_title": title, **figures.as_dict()}
                      for (org, slug, title), figures in sorted(by_course.items())],
        "by_department": [{"organization": org, "department": name, **figures.as_dict()}
                          for (org, name), figures in sorted(by_department.items())],
    }


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
