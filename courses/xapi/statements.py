"""Builds xAPI statements from what it is given (no queries): ids, actors, verbs, activities, results.

- A statement's id is a UUID (version 5) over our namespace and the event's identity
  ("enrollment:12:registered"), so the same event always makes the same id.
- The actor is an account on SITE_URL whose name is a pseudonym (an HMAC of the organization and the
  user keyed by SECRET_KEY): stable for one person in one organization, different in another, never the
  e-mail address. An organization may choose mbox or mbox_sha1sum instead.
- Activity ids are the addresses of the pages we serve (the course page, an activity's page, a
  workshop session's page, a certificate's public verify page), so they resolve.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

# Our namespace for statement ids and registrations (a fixed random UUID: changing it changes every id).
NAMESPACE = uuid.UUID("0b5e7f3a-6c1d-4a8e-9f27-3d4c5b6a7e81")
PLATFORM = "Empathy LMS"
ADL = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

# Verbs: the ADL vocabulary, except "earned", which it lacks (the widely used registry term instead).
VERBS: dict[str, str] = {
    "registered": ADL + "registered",
    "launched": ADL + "launched",
    "experienced": ADL + "experienced",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "attempted": ADL + "attempted",
    "scored": ADL + "scored",
    "attended": ADL + "attended",
    "completed": ADL + "completed",
    "earned": "http://id.tincanapi.com/verb/earned",
}

ACTIVITY_TYPES = {
    "course": ADL_ACTIVITIES + "course",
    "lesson": ADL_ACTIVITIES + "lesson",
    "quiz": ADL_ACTIVITIES + "assessment",
    "roleplay": ADL_ACTIVITIES + "performance",
    "workshop": ADL_ACTIVITIES + "meeting",
    "survey": ADL_ACTIVITIES + "assessment",
    "session": ADL_ACTIVITIES + "meeting",
}


def statement_id(event: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"statement:{event}")


def registration_id(enrollment_id: int) -> str:
    """``context.registration``: one per enrollment, shared by every statement of that enrollment."""
    return str(uuid.uuid5(NAMESPACE, f"enrollment:{enrollment_id}"))


def pseudonym(*, organization_id: int, user_id: int) -> str:
    return salted_hmac("courses.xapi.actor", f"{organization_id}:{user_id}", algorithm="sha256").hexdigest()[:40]


def actor(*, mode: str, organization_id: int, user_id: int, email: str) -> dict[str, Any]:
    agent: dict[str, Any] = {"objectType": "Agent"}
    if mode == "mbox" and email:
        agent["mbox"] = f"mailto:{email.lower()}"
    elif mode == "mbox_sha1sum" and email:
        agent["mbox_sha1sum"] = hashlib.sha1(f"mailto:{email.lower()}".encode()).hexdigest()  # noqa: S324 (xAPI's rule)
    else:
        agent["account"] = {"homePage": settings.SITE_URL,
                            "name": pseudonym(organization_id=organization_id, user_id=user_id)}
    return agent


def verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {"en-US": name}}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with its offset (xAPI wants a time zone; 2.0 requires one)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _language(language: str) -> str:
    return language or "en"


def course_iri(slug: str) -> str:
    return f"{settings.SITE_URL}/courses/{slug}/"


def activity_iri(course_slug: str, activity_id: int) -> str:
    return f"{settings.SITE_URL}/courses/{course_slug}/activities/{activity_id}/"


def session_iri(session_id: int) -> str:
    return f"{settings.SITE_URL}/workshops/sessions/{session_id}/"


def certificate_iri(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def activity(iri: str, *, kind: str, name: str, language: str) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": {_language(language): name[:200] or kind}}
    if kind in ACTIVITY_TYPES:
        definition["type"] = ACTIVITY_TYPES[kind]
    return {"objectType": "Activity", "id": iri, "definition": definition}


def context(*, enrollment_id: int | None, language: str, parents: list[dict[str, Any]] | None = None,
            grouping: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"platform": PLATFORM, "language": _language(language)}
    if enrollment_id is not None:
        found["registration"] = registration_id(enrollment_id)
    activities: dict[str, Any] = {}
    if parents:
        activities["parent"] = parents
    if grouping:
        activities["grouping"] = grouping
    if activities:
        found["contextActivities"] = activities
    return found


def result(*, score: Decimal | float | None = None, success: bool | None = None, completion: bool | None = None,
           ) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    if score is not None:
        raw = float(Decimal(str(score)).quantize(Decimal("0.01")))
        found["score"] = {"scaled": round(raw / 100, 4), "raw": raw, "min": 0, "max": 100}
    if success is not None:
        found["success"] = success
    if completion is not None:
        found["completion"] = completion
    return found or None


def statement(*, event: str, agent: dict[str, Any], verb_name: str, obj: dict[str, Any], at: datetime,
              context_: dict[str, Any], result_: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(statement_id(event)), "actor": agent, "verb": verb(verb_name), "object": obj,
        "timestamp": timestamp(at), "context": context_,
    }
    if result_:
        found["result"] = result_
    return found
