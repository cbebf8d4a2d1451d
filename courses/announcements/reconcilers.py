"""What the reconciler re-enqueues for announcements (see lms/reconciler.py): copies written but never sent (the
broker was down after the commit, or a send failed and released its claim)."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from courses.announcements.selectors import announcements_unsent
from courses.announcements.tasks import announcement_send
from lms.reconciler import reconciler

BATCH = 100  # announcements re-enqueued per pass
GRACE = timedelta(minutes=10)  # the first task has had its chance by then


@reconciler("announcements-unsent")
def announcements_unsent_requeue() -> int:
    ids = announcements_unsent(created_before=timezone.now() - GRACE, limit=BATCH)
    for announcement_id in ids:
        announcement_send.apply_async(args=[announcement_id], retry=False)
    return len(ids)
