"""Erasing a person from the HR reports (an erasure step, lms/privacy/services/erasure.py).

The incremental sync must tell consumers the person is gone: each enrollment of theirs that survives the
erasure (one that certifies a certificate stays, scrubbed) leaves a tombstone, the same row a deleted
enrollment leaves, and then leaves the organization's report (its organization link is cleared); the
enrollments the erasure deleted left theirs already. The summary's rollup is refreshed after the commit.
Webhook deliveries whose payload named the person keep their event but not the name, address, employee id
or department. Finished exports of the person's organizations may list them: their files are removed
(the exports show as expired, and HR can export again).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import (
    ReportAuditEntry,
    ReportExport,
    ReportTombstone,
    WebhookDelivery,
    WebhookEndpoint,
)
from lms.models import ErasureIdentifier
from lms.privacy.registry import erasure_step
from lms.privacy.selectors.erasure import email_digest, employee_id_digest
from lms.queue import task_enqueue

PERSON_KEYS = ("email", "name", "employee_id", "department", "user_id")
ENROLLMENT_EVENTS = [WebhookEndpoint.Event.ENROLLMENT_COMPLETED]


def _scrub_payload(payload: dict) -> dict:
    data = dict(payload.get("data") or {})
    for key in PERSON_KEYS:
        if key in data:
            data[key] = "" if isinstance(data[key], str) else None
    return {**payload, "data": data, "erased": True}


def _scrub_deliveries(enrollment_ids: list[int], certificate_ids: list[int]) -> None:
    deliveries = (WebhookDelivery.objects.filter(event_type__in=ENROLLMENT_EVENTS, object_id__in=enrollment_ids)
                  | WebhookDelivery.objects.filter(object_id__in=certificate_ids).exclude(
                      event_type__in=ENROLLMENT_EVENTS))
    for delivery in deliveries.order_by("pk"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=_scrub_payload(delivery.payload))


def _delete_files(files: list) -> None:
    for storage, name in files:
        storage.delete(name)


def _expire_exports(organization_ids: list[int]) -> None:
    files = [(export.file.storage, export.file.name)
             for export in ReportExport.objects.filter(organization_id__in=organization_ids).exclude(file="")]
    transaction.on_commit(lambda: _delete_files(files))
    ReportExport.objects.filter(organization_id__in=organization_ids, status=ReportExport.Status.DONE).update(
        status=ReportExport.Status.EXPIRED)
    ReportExport.objects.filter(organization_id__in=organization_ids).exclude(file="").update(file="")


def _names_the_person(value: object, organization_id: int | None, digests: set[str]) -> bool:
    """A filter value that hashes to the person's address or employee id (the record keeps only those hashes)."""
    if not isinstance(value, str) or not value.strip():
        return False
    candidates = {email_digest(value)}
    if organization_id is not None:
        candidates.add(employee_id_digest(organization_id, value))
    return bool(candidates & digests)


def _scrub_audit_filters(record, organization_ids: list[int]) -> None:
    """HR's audit trail keeps which filters were used; a filter that named the person (their address or employee
    id, searched for) is blanked."""
    digests = set(ErasureIdentifier.objects.filter(record=record).values_list("digest", flat=True))
    for entry in ReportAuditEntry.objects.filter(organization_id__in=organization_ids).exclude(filters={}):
        filters = dict(entry.filters or {})
        named = [key for key, value in filters.items() if _names_the_person(value, entry.organization_id, digests)]
        if named:
            ReportAuditEntry.objects.filter(pk=entry.pk).update(filters={**filters, **dict.fromkeys(named, "")})


@erasure_step("hr-reports", order=30)
def hr_reports_erase(user, record) -> None:
    enrollments = list(Enrollment.objects.filter(user=user).values_list("pk", "organization_id"))
    enrollment_ids = [pk for pk, _ in enrollments]
    certificate_ids = list(Certificate.objects.filter(enrollment__user=user).values_list("pk", flat=True))
    _scrub_deliveries(enrollment_ids, certificate_ids)
    stamp = timezone.now()
    ReportTombstone.objects.bulk_create([
        ReportTombstone(organization_id=organization_id, enrollment_id=pk, deleted_at=stamp)
        for pk, organization_id in enrollments if organization_id is not None])
    Enrollment.objects.filter(pk__in=enrollment_ids).update(organization=None, updated_at=stamp)
    organization_ids = sorted(set(record.organization_ids or []) | {o for _, o in enrollments if o is not None})
    _expire_exports(organization_ids)
    _scrub_audit_filters(record, organization_ids)
    transaction.on_commit(lambda: task_enqueue("courses.hr_rollup_refresh"))
