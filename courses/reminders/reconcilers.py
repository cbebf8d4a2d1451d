"""What the reconciler re-enqueues for reminders (see lms/reconciler.py): the sweep and its stale sends."""
from __future__ import annotations

from courses.reminders import services as reminders
from lms.reconciler import reconciler


@reconciler("reminders")
def reminders_pending() -> int:
    """Pending reminders whose send was never enqueued or whose message was lost; and rows a killed
    worker left in ``sending``, which are failed rather than risked twice."""
    reminders.reminders_fail_stale()
    result = reminders.reminders_dispatch()
    return result["sent"]
