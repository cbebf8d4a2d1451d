"""What the reconciler nudges for the assessments app (see lms/reconciler.py): the role-play sweep.

The work is found in the database — reviews past their deadline, performances waiting unallocated
for more than a day (the shortest review period), performances whose escalation step has ended —
and only then is a worker asked to sweep; the sweep is idempotent, so a duplicate nudge finds
nothing to do.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from assessments.roleplays.models import Performance, Review, ReviewAssignment, ReviewerRole
from assessments.roleplays.tasks import roleplays_calibration_live_refresh, roleplays_sweep
from lms.reconciler import reconciler


@reconciler("roleplay-reviews")
def roleplay_reviews() -> int:
    now = timezone.now()
    late = ReviewAssignment.objects.filter(status=ReviewAssignment.Status.PENDING, due_at__lt=now).count()
    waiting = Performance.objects.filter(is_reference=False, status=Performance.Status.SUBMITTED,
                                         submitted_at__lt=now - timedelta(days=1)).count()
    step_ended = Performance.objects.filter(is_reference=False, status__in=[
        Performance.Status.SUBMITTED, Performance.Status.IN_REVIEW], step_due_at__lte=now).count()
    if late or waiting or step_ended:
        roleplays_sweep.apply_async(retry=False)
    return late + waiting + step_ended


@reconciler("roleplay-live-calibration")
def roleplay_live_calibration() -> int:
    """While supervisors' reviews of learners' work are recent (a day), refresh the peers' live calibration
    weights; the refresh is idempotent, so each nudge only recomputes."""
    recent = Review.objects.filter(role=ReviewerRole.SUPERVISOR, performance__is_reference=False,
                                   updated_at__gte=timezone.now() - timedelta(days=1)).count()
    if recent:
        roleplays_calibration_live_refresh.apply_async(retry=False)
    return recent
