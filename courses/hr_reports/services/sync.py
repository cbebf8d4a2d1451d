"""What keeps the HR report's incremental sync true beyond the writers' own ``updated_at`` bumps:

- tombstones: a deleted enrollment (on its own, or with its user or course) leaves a ``ReportTombstone``
  in the same transaction (a ``pre_delete`` receiver, connected in ``courses.apps``, so cascades count);
- time: ``sync_clock_tick`` (a beat task) moves the sync key of rows whose ``overdue`` flag or certificate
  status changed since its last run, set-based and in batches, and deletes tombstones past retention.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportSyncMark, ReportTombstone

CLOCK_MARK = "sync-clock"


def tombstone_on_enrollment_delete(sender: Any, instance: Enrollment, **kwargs: Any) -> None:
    """``pre_delete`` receiver: runs inside the deleting transaction, once per enrollment (cascades too)."""
    if instance.organization_id:
        ReportTombstone.objects.create(organization_id=instance.organization_id, enrollment_id=instance.pk,
                                       deleted_at=timezone.now())


def _bump(condition: Q, stamp: datetime) -> int:
    """``updated_at = stamp`` on the enrollments matching ``condition``, in id-ordered batches."""
    count, last_pk, size = 0, 0, settings.REPORTS_SYNC_CLOCK_BATCH
    while True:
        with transaction.atomic():
            ids = list(Enrollment.objects.filter(condition, pk__gt=last_pk, organization__isnull=False)
                       .order_by("pk").values_list("pk", flat=True)[:size])
            if not ids:
                return count
            count += Enrollment.objects.filter(pk__in=ids).update(updated_at=stamp)
        last_pk = ids[-1]


def sync_clock_tick(*, now: datetime | None = None) -> int:
    """Rows whose report shows something time changed since the last run get a new sync key: ``overdue``
    (active and ``due_at < now``: due in [last, now)) and an expired certificate (``expires_at <= now``:
    expiring in (last, now]). The high-water mark lives in the database, so a missed run is caught up by the
    next one; the first run covers everything before it. Returns how many rows moved."""
    now = now or timezone.now()
    mark = ReportSyncMark.objects.filter(name=CLOCK_MARK).first()
    last = mark.at if mark else None
    if last is not None and now <= last:
        return 0
    overdue = Q(status=Enrollment.Status.ACTIVE, due_at__lt=now)
    expired = Q(certificate__expires_at__lte=now) & ~Q(certificate__status="revoked")
    if last is not None:
        overdue &= Q(due_at__gte=last)
        expired &= Q(certificate__expires_at__gt=last)
    moved = _bump(overdue | expired, now)
    ReportSyncMark.objects.update_or_create(name=CLOCK_MARK, defaults={"at": now})
    tombstones_cleanup(now=now)
    return moved


def tombstones_cleanup(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORTS_TOMBSTONE_RETENTION_DAYS)
    deleted, _ = ReportTombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
