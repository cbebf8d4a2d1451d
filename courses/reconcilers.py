"""What the reconciler re-enqueues for the courses app (see lms/reconciler.py).

Each function finds pending work in the database — never in the queue — and nudges a worker.
Batches are bounded; whatever is left is found on the next run.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from courses.certificate_pdf import TEMPLATE_VERSION
from courses.models import Certificate, Enrollment
from courses.services.certificates import RENDER_GRACE
from lms.reconciler import reconciler

BATCH = 500


@reconciler("certificates-missing")
def certificates_missing() -> int:
    """Completed enrollments without a certificate (e.g. the broker was down at completion)."""
    from courses.tasks import certificate_issue

    ids = list(
        Enrollment.objects.filter(status=Enrollment.Status.COMPLETED, certificate__isnull=True)
        .order_by("completed_at", "id").values_list("id", flat=True)[:BATCH]
    )
    for enrollment_id in ids:
        certificate_issue.apply_async(args=[enrollment_id], retry=False)
    return len(ids)


@reconciler("certificates-unrendered")
def certificates_unrendered() -> int:
    """Certificates whose PDF or credential is missing or from an older template (a credential is
    missing only once a signing key exists: certificates issued before the first key get one then)."""
    from django.db.models import Q

    from courses import certificate_credentials
    from courses.tasks import certificate_render

    cutoff = timezone.now() - RENDER_GRACE
    pending = Q(rendered_at__isnull=True) | Q(template_version__lt=TEMPLATE_VERSION)
    if certificate_credentials.signing_enabled():
        pending |= Q(credential__isnull=True)
    ids = list(
        Certificate.objects.filter(pending, issued_at__lt=cutoff)
        .order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for certificate_id in ids:
        certificate_render.apply_async(args=[certificate_id], retry=False)
    return len(ids)


@reconciler("certificates-unsent")
def certificates_unsent() -> int:
    """Valid, rendered certificates whose issue email was never claimed."""
    from courses.tasks import certificate_email

    cutoff = timezone.now() - RENDER_GRACE
    ids = list(
        Certificate.objects.filter(emailed_at__isnull=True, status=Certificate.Status.VALID,
                                   rendered_at__isnull=False, rendered_at__lt=cutoff)
        .order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for certificate_id in ids:
        certificate_email.apply_async(args=[certificate_id], retry=False)
    return len(ids)


@reconciler("workshop-emails-unsent")
def workshop_emails_unsent() -> int:
    """Workshop emails logged but never claimed (e.g. the broker was down after the change)."""
    from courses.models import WorkshopEmail
    from courses.tasks import workshop_email_send

    cutoff = timezone.now() - RENDER_GRACE
    ids = list(WorkshopEmail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
               .order_by("id").values_list("id", flat=True)[:BATCH])
    for email_id in ids:
        workshop_email_send.apply_async(args=[email_id], retry=False)
    return len(ids)
@reconciler("report-exports-unfinished")
def report_exports_unfinished() -> int:
    """Exports waiting for a worker, or running without a heartbeat (their worker died): resume them."""
    from django.db.models import Q

    from courses.models import ReportExport
    from courses.services.reports import STALE_AFTER, schedule_export

    now = timezone.now()
    ids = list(
        ReportExport.objects.filter(
            Q(status=ReportExport.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
            | Q(status=ReportExport.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        ).order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for export_id in ids:
        schedule_export(export_id)
    return len(ids)


@reconciler("webhooks-due")
def webhooks_due() -> int:
    """Pending deliveries whose next attempt is due (a retry, or an attempt whose worker died)."""
    from courses.models import WebhookDelivery
    from courses.services.webhooks import schedule_delivery

    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now(),
                                       endpoint__is_active=True)
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:BATCH]
    )
    for delivery_id in ids:
        schedule_delivery(delivery_id)
    return len(ids)


@reconciler("webhooks-unrecorded")
def webhooks_unrecorded() -> int:
    """Recent events without a delivery row for a subscribed endpoint (the process died between the
    commit and the hook): record them now. Looks back REPORTS_WEBHOOK_LOOKBACK_HOURS."""
    from django.conf import settings
    from django.db.models import Exists, OuterRef

    from courses.models import WebhookDelivery, WebhookEndpoint
    from courses.services.webhooks import webhook_events_emit

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
                webhook_events_emit(event_type=event_type, object_id=object_id)
            found += len(missing)
    return found
@reconciler("reminders")
def reminders_pending() -> int:
    """Pending reminders whose send was never enqueued or whose message was lost; and rows a killed
    worker left in ``sending``, which are failed rather than risked twice."""
    from courses.services import reminders

    reminders.reminders_fail_stale()
    result = reminders.reminders_dispatch()
    return result["sent"]
