"""What the reconciler re-enqueues for workshops (see lms/reconciler.py): workshop emails not yet sent."""
from __future__ import annotations

from django.utils import timezone

from courses.certificates.services import RENDER_GRACE
from courses.workshops.models import SessionMessageDelivery, WorkshopEmail
from courses.workshops.tasks import workshop_email_send, workshop_message_send
from lms.reconciler import reconciler

BATCH = 500  # rows re-enqueued per pass



@reconciler("workshop-emails-unsent")
def workshop_emails_unsent() -> int:
    """Workshop emails logged but never claimed (e.g. the broker was down after the change)."""

    cutoff = timezone.now() - RENDER_GRACE
    ids = list(WorkshopEmail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
               .order_by("id").values_list("id", flat=True)[:BATCH])
    for email_id in ids:
        workshop_email_send.apply_async(args=[email_id], retry=False)
    return len(ids)


@reconciler("workshop-messages-unsent")
def workshop_messages_unsent() -> int:
    """Deliveries of session messages logged but never claimed."""
    cutoff = timezone.now() - RENDER_GRACE
    ids = list(SessionMessageDelivery.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
               .order_by("id").values_list("id", flat=True)[:BATCH])
    for delivery_id in ids:
        workshop_message_send.apply_async(args=[delivery_id], retry=False)
    return len(ids)
