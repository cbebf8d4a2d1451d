"""Reading the access log: who may (an organization's admins, for their organization), what they see (their
organization's entries, filtered), and what a person's export carries (``access_log_for``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from lms.errors import Forbidden
from lms.models import Membership, Organization, Role, User
from lms.privacy.models import AccessLogEntry
from lms.scoping import is_unrestricted, organization_ids_for
from lms.selectors import PEOPLE_READERS, organization_get, organizations_visible_to


def access_log_can_use(*, actor: Any) -> bool:
    """Whether ``actor`` may open the access log at all: an admin of some organization (or a superuser)."""
    if getattr(actor, "is_api_key", False):
        return False
    return is_unrestricted(actor) or bool(organization_ids_for(actor, Role.ORG_ADMIN))


def access_log_organizations(*, actor: Any) -> QuerySet[Organization]:
    """The organizations whose access log ``actor`` reads, by name."""
    if getattr(actor, "is_api_key", False):
        return Organization.objects.none()
    return organizations_visible_to(actor=actor, roles=(Role.ORG_ADMIN,)).order_by("name", "id")


def access_log_organization(*, actor: Any, slug: str) -> Organization:
    """The organization, for its access log: 404 unless the caller reads its people (its HR and admins);
    403 for its HR and for API keys, since only the organization's admins read who looked at whom."""
    if getattr(actor, "is_api_key", False):
        raise Forbidden("API keys cannot read the access log.")
    organization = organization_get(actor=actor, slug=slug, roles=PEOPLE_READERS)
    if not (is_unrestricted(actor) or organization.pk in organization_ids_for(actor, Role.ORG_ADMIN)):
        raise Forbidden("Only the organization's admins may read its access log.")
    return organization


@dataclass(frozen=True)
class AccessLogFilters:
    """What narrows the list. ``person``/``actor``: a user id; ``person_text``/``actor_text``: part of a name or
    an address (the page's boxes); ``since``/``until``: days, both included, in UTC."""

    person: int | None = None
    actor: int | None = None
    person_text: str = ""
    actor_text: str = ""
    channel: str = ""
    since: date | None = None
    until: date | None = None


def _text(prefix: str, text: str) -> Q:
    words = Q()
    for word in text.split()[:5]:
        words &= (Q(**{f"{prefix}__email__icontains": word}) | Q(**{f"{prefix}__first_name__icontains": word})
                  | Q(**{f"{prefix}__last_name__icontains": word}))
    return words


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def access_log_entries(*, organization: Organization, filters: AccessLogFilters) -> QuerySet[AccessLogEntry]:
    """The organization's entries, newest first, with their people loaded."""
    queryset = AccessLogEntry.objects.filter(organization=organization)
    if filters.person is not None:
        queryset = queryset.filter(subject_id=filters.person)
    if filters.actor is not None:
        queryset = queryset.filter(actor_id=filters.actor)
    if filters.person_text:
        queryset = queryset.filter(_text("subject", filters.person_text))
    if filters.actor_text:
        key = filters.actor_text.strip()
        queryset = queryset.filter(_text("actor", filters.actor_text) | Q(api_key_prefix__iexact=key)
                                   | Q(api_key_label__icontains=key))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.since is not None:
        queryset = queryset.filter(at__gte=_day_start(filters.since))
    if filters.until is not None:
        queryset = queryset.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    return queryset.select_related("actor", "subject").order_by("-at", "-id")


def access_log_for(user: User) -> list[dict]:
    """What the access log holds about ``user``, for their export.

    Two kinds of entries: those naming them as the subject (someone read their data in particular), and the
    reads that covered many people (reports, exports; no subject) in an organization they belong to, made while
    they were a member (from the membership's creation on). The second kind may or may not have included
    them: the log records how many people a read covered, not who; we include it so the person sees every read
    that could have reached them. The readers appear by name, or as an API key's prefix and name.
    """
    memberships = list(Membership.objects.filter(user=user).values_list("organization_id", "created_at"))
    bulk = Q(pk__in=[])
    for organization_id, since in memberships:
        bulk |= Q(organization_id=organization_id, subject__isnull=True, at__gte=since)
    entries = (AccessLogEntry.objects.filter(Q(subject=user) | bulk)
               .select_related("actor", "organization").order_by("at", "id"))
    return [_export_row(entry, user) for entry in entries]


def _export_row(entry: AccessLogEntry, user: User) -> dict:
    if entry.actor is not None:
        reader = {"person": entry.actor.display_name}
    elif entry.api_key_prefix:
        reader = {"api_key": entry.api_key_prefix, "api_key_name": entry.api_key_label}
    else:
        reader = {}
    return {"at": entry.at.isoformat(), "organization": entry.organization.name, "reader": reader,
            "channel": entry.channel, "what": entry.what, "about": "you" if entry.subject_id == user.pk else "many",
            "people": entry.people}
