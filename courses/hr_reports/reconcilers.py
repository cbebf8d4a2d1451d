"""What the reconciler re-enqueues for HR reports (see lms/reconciler.py): exports nobody is running,
webhook deliveries due, events without a delivery row."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportExport, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.services import exports as export_services
from courses.hr_reports.services import webhooks as webhook_services
from lms.reconciler import reconciler

BATCH = 500  # rows re-enqueued per pass



@reconciler("report-exports-unfinished")
def report_exports_unfinished() -> int:
    """Exports waiting for a worker, or running without a heartbeat (their worker died): resume them."""


    now = timezone.now()
    ids = list(
        ReportExport.objects.filter(
            Q(status=ReportExport.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
            | Q(status=ReportExport.Status.RUNNING, heartbeat_at__lt=now - export_services.STALE_AFTER)
        ).order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for export_id in ids:
        export_services.report_export_schedule(export_id)
    return len(ids)


@reconciler("webhooks-due")
def webhooks_due() -> int:
    """Pending deliveries whose next attempt is due (a retry, or an attempt whose worker died)."""

    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now(),
                                       endpoint__is_active=True)
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:BATCH]
    )
    for delivery_id in ids:
        webhook_services.webhook_delivery_schedule(delivery_id)
    return len(ids)


@reconciler("webhooks-unrecorded")
def webhooks_unrecorded() -> int:
    """Recent events without a delivery row for a subscribed endpoint (the process died between the
    commit and the hook): record them now. Looks back REPORTS_WEBHOOK_LOOKBACK_HOURS."""
    since = timezone.now() - timedelta(hours=settings.REPORTS_WEBHOOK_LOOKBACK_HOURS)
    found = 0
    sources = {
        WebhookEndpoint.Event.ENROLLMENT_COMPLETED: (Enrollment.objects, "organization_id", "completed_at"),
        WebhookEndpoint.Event.CERTIFICATE_ISSUED: (Certificate.objects, "enrollment__organization_id", "issued_at"),
        WebhookEndpoint.Event.CERTIFICATE_REVOKED: (Certificate.objects, "enrollment__organization_id", "revoked_at"),
    }
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        for event_type in endpoint.event_types:
            if event_type not in sources:
                continue
            manager, org_field, when = sources[event_type]
            recorded = WebhookDelivery.objects.filter(endpoint=endpoint, event_type=event_type,
                                                      object_id=OuterRef("pk"))
            missing = list(
                manager.filter(**{org_field: endpoint.organization_id, f"{when}__gte": max(since, endpoint.created_at)})
                .filter(~Exists(recorded)).order_by(when, "id").values_list("id", flat=True)[:BATCH]
            )
            for object_id in missing:
                webhook_services.webhook_events_emit(event_type=event_type, object_id=object_id)
            found += len(missing)
    return found
