"""Reads of recording consents. A consent row is its learner's: only they list, read and withdraw it
(anyone else gets 404). Whoever may see a performance sees the summary of its consent (version, given,
withdrawn), so reviewers know what the learner agreed to."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from assessments.roleplays.errors import RoleplayErrorCode
from assessments.roleplays.models import Performance, RecordingConsent
from lms.errors import NotFound
from lms.scoping import person_id


def recording_consent_summary(performance: Performance) -> dict[str, Any] | None:
    """The consent that came with the performance's recording, or None when it never had one."""
    consent = RecordingConsent.objects.filter(performance_id=performance.pk).first()
    if consent is None:
        return None
    return {"id": consent.pk, "version": consent.version, "given_at": consent.given_at,
            "withdrawn_at": consent.withdrawn_at}


def own_recording_consents(*, actor: Any) -> QuerySet[RecordingConsent]:
    user_id = person_id(actor)
    if user_id is None:
        return RecordingConsent.objects.none()
    return (RecordingConsent.objects.filter(user_id=user_id)
            .select_related("performance__scenario__activity__course"))


def _not_found() -> NotFound:
    return NotFound("No such recording consent.", code=RoleplayErrorCode.RECORDING_CONSENT_NOT_FOUND)


def recording_consent_get(*, actor: Any, consent_id: int) -> RecordingConsent:
    consent = own_recording_consents(actor=actor).filter(pk=consent_id).first()
    if consent is None:
        raise _not_found()
    return consent


def recording_consent_of_performance(*, actor: Any, performance_id: int) -> RecordingConsent:
    """The caller's own consent for one of their performances; 404 for anyone else's."""
    consent = own_recording_consents(actor=actor).filter(performance_id=performance_id).first()
    if consent is None:
        raise _not_found()
    return consent


def consents_of_user(*, user: Any) -> list[RecordingConsent]:
    """Every recording consent of ``user``, newest first (their data export)."""
    return list(RecordingConsent.objects.filter(user_id=user.pk)
                .select_related("performance__scenario__activity__course").order_by("given_at", "id"))
