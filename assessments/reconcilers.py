"""What the reconciler does for the assessments app (see lms/reconciler.py): the role-play sweep.

The sweep's work is all in the database (deadlines passed, performances waiting), so it runs as a
nudge to a worker; running it twice finds nothing the second time.
"""
from __future__ import annotations

from lms.reconciler import reconciler


@reconciler("roleplay-reviews")
def roleplay_reviews() -> int:
    from assessments.tasks import roleplays_sweep

    roleplays_sweep.apply_async(retry=False)
    return 1
