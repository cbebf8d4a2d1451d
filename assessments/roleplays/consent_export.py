"""The person's recording consents for their data export (``consents_for``): every consent they gave, the
performance it came with, the version and its words in each language, when given and when withdrawn.
The privacy export wires it in; this module holds no registry of its own."""
from __future__ import annotations

from typing import Any

from assessments.roleplays import consent as consent_text
from assessments.roleplays.selectors.consent import consents_of_user


def consents_for(user: Any) -> list[dict[str, Any]]:
    rows = []
    for consent in consents_of_user(user=user):
        text = consent_text.text_of(consent.version)
        activity = consent.performance.scenario.activity
        rows.append({
            "id": consent.pk, "performance": consent.performance_id, "course": activity.course.slug,
            "scenario": activity.title, "version": consent.version,
            "given_at": consent.given_at.isoformat(),
            "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            "recording_kept": consent.performance.has_recording,
            "text": {"en": text.paragraphs("en"), "pt-BR": text.paragraphs("pt-br")} if text else None,
        })
    return rows
