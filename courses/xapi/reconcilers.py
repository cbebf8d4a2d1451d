"""What the reconciler re-enqueues for xAPI (see lms/reconciler.py): organizations with statements due
(a retry whose time came, a send whose worker died, a message the broker lost)."""
from __future__ import annotations

from django.utils import timezone

from courses.xapi.models import XapiStatement
from courses.xapi.services import outbox
from lms.reconciler import reconciler

BATCH = 500  # organizations re-enqueued per pass


@reconciler("xapi-due")
def xapi_due() -> int:
    ids = list(
        XapiStatement.objects.filter(status=XapiStatement.Status.PENDING, next_attempt_at__lte=timezone.now(),
                                     organization__lrs_endpoint__is_active=True)
        .order_by().values_list("organization_id", flat=True).distinct()[:BATCH]
    )
    for organization_id in ids:
        outbox.xapi_send_schedule(organization_id)
    return len(ids)
