"""Recording consent: recording it beside the recording it allows, and withdrawing it.

Withdrawing deletes the recording in the same call: the consent row gets ``withdrawn_at``, the performance
loses its file (field cleared, type and size reset) or its link to a recording kept elsewhere, and a file is
deleted once the transaction has committed, so a rollback never leaves a performance pointing at a deleted
file. The performance keeps its transcript, reviews and score; reviewers go on with the text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments.roleplays.errors import RoleplayErrorCode
from assessments.roleplays.models import Performance, RecordingConsent
from lms.errors import NotFound


def recording_consent_create(*, performance: Performance, user: Any, version: int,
                             given_at: datetime | None = None) -> RecordingConsent:
    """Record that ``user`` agreed to ``version`` of the consent text for ``performance``'s recording."""
    with transaction.atomic():
        return RecordingConsent.objects.create(performance=performance, user=user, version=version,
                                               given_at=given_at or timezone.now())


def recording_delete(*, performance: Performance) -> bool:
    """Delete the performance's recording (the file after commit) and clear its file fields, or remove its link to
    a recording kept elsewhere; False when it had neither."""
    with transaction.atomic():
        performance = Performance.objects.select_for_update(of=("self",)).get(pk=performance.pk)
        if not performance.has_recording:
            return False
        storage, name = performance.media.storage, performance.media.name
        performance.media = ""
        performance.media_type = ""
        performance.media_size = 0
        performance.link = ""
        performance.save(update_fields=["media", "media_type", "media_size", "link"])
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    return True


def recording_consent_withdraw(*, consent: RecordingConsent, actor: Any,
                               now: datetime | None = None) -> RecordingConsent:
    """The learner takes their consent back: ``withdrawn_at`` is set and the recording deleted. Withdrawing
    twice changes nothing; someone else's consent is not found."""
    with transaction.atomic():
        locked = RecordingConsent.objects.select_for_update().filter(pk=consent.pk, user_id=actor.pk).first()
        if locked is None:
            raise NotFound("No such recording consent.", code=RoleplayErrorCode.RECORDING_CONSENT_NOT_FOUND)
        if locked.withdrawn_at is not None:
            return locked
        locked.withdrawn_at = now or timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        recording_delete(performance=locked.performance)
    return locked
