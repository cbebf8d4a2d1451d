"""The assessments app's retention rules (lms/privacy/retention.py): role-play recordings.

A recording is kept PRIVACY_RETENTION_RECORDINGS_DAYS after its performance closed (scored, or closed
unscored at its resolution date); then the file is deleted and the field cleared, and a link to a recording
kept elsewhere is removed. The performance, its transcript, its reviews and its score stay: the text review
path is untouched.
"""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.roleplays.models import Performance
from lms.privacy.retention import retention_rule


@retention_rule("recordings", label=_("Role-play recordings"), date_field="scored_at", file_fields=["media"],
                keep_rows=True, clear={"media_type": "", "media_size": 0, "link": ""})
def recordings_expired(cutoff: datetime.datetime) -> QuerySet:
    """Learners' performances closed before the cutoff that still hold a recording or a link to one
    (instructors' calibration examples are not a learner's data and stay)."""
    closed = Q(scored_at__lt=cutoff) | Q(status=Performance.Status.UNSCORED, resolution_due_at__lt=cutoff)
    return Performance.objects.filter(closed, is_reference=False).exclude(media="", link="")
