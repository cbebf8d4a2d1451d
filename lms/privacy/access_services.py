"""Writing the access log: ``access_record``, called where someone reads other people's data.

Any app may call it (courses and assessments import lms, never the other way). It costs one INSERT and no
read: the caller passes what it already holds (the actor, the organization or its id, the subject or their id).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from lms.privacy.models import AccessLogEntry
from lms.scoping import person_id

Channel = AccessLogEntry.Channel


def _id(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.pk


def _small(detail: dict | None) -> dict:
    """The detail kept: plain values only, short, and no e-mail address (a report filtered by a manager's
    address keeps that it was filtered, not by whom), so an erasure needs not search the log's details."""
    kept: dict[str, Any] = {}
    for key, value in list((detail or {}).items())[:12]:
        if isinstance(value, bool) or isinstance(value, int) or value is None:
            kept[str(key)[:32]] = value
        else:
            text = str(value)
            kept[str(key)[:32]] = "(address)" if "@" in text else text[:100]
    return kept


def _who(actor: Any, actor_id: int | None, key_prefix: str) -> dict[str, Any]:
    """The reader's columns: a person, or an API key (its prefix and name copied: the entry outlives the key)."""
    if getattr(actor, "is_api_key", False):
        key = actor.key
        return {"actor_id": None, "api_key_id": key.pk, "api_key_prefix": key.prefix or "",
                "api_key_label": (key.name or "")[:50]}
    return {"actor_id": actor_id if actor_id is not None else person_id(actor), "api_key_id": None,
            "api_key_prefix": key_prefix[:16], "api_key_label": ""}


def access_record(*, actor: Any, organization: models.Model | int | Iterable[int] | None, channel: str, what: str,
                  subject: models.Model | int | None = None, people: int | None = None,
                  detail: dict | None = None, actor_id: int | None = None,
                  key_prefix: str = "") -> list[AccessLogEntry]:
    """Record that ``actor`` (a person, or an organization API key's principal) read ``subject``'s data (or,
    with no subject, ``people`` people's) in ``organization`` through ``channel``; ``what`` names the operation.

    ``organization`` may be several ids (a report over every organization the reader reads): one row each,
    still one INSERT. ``actor_id`` and ``key_prefix`` stand for a reader known only by id (a signed download
    link's requester). A person reading their own data writes nothing, nor does a read with no organization.
    A single statement, so atomic by itself: no savepoint is added to the caller's queries.
    """
    subject_id = _id(subject)
    who = _who(actor, actor_id, key_prefix)
    if subject_id is not None and subject_id == who["actor_id"]:
        return []
    if organization is None:
        return []
    if isinstance(organization, (int, models.Model)):
        organization_ids = [_id(organization)]
    else:
        organization_ids = sorted(set(organization))
    if subject_id is not None and people is None:
        people = 1
    rows = [AccessLogEntry(organization_id=org_id, subject_id=subject_id, people=people, channel=Channel(channel),
                           what=what[:64], detail=_small(detail), **who) for org_id in organization_ids]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
        return rows
    return AccessLogEntry.objects.bulk_create(rows)
