"""xAPI reads, scoped to the caller: only an organization's admins see its LRS endpoint and outbox."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from courses.xapi.models import LrsEndpoint, XapiStatement
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.models import Organization, Role
from lms.scoping import is_unrestricted, organization_ids_for


def organization_for_admin(*, actor: Any, slug: str) -> Organization:
    """The organization ``slug`` if ``actor`` administers it; 404 otherwise (it looks absent)."""
    found = Organization.objects.filter(slug=slug).first()
    if found is None or not (is_unrestricted(actor) or found.pk in organization_ids_for(actor, Role.ORG_ADMIN)):
        raise NotFound("No such organization.", code=PlatformErrorCode.ORGANIZATION_NOT_FOUND)
    return found


def endpoint_of(organization: Organization) -> LrsEndpoint | None:
    return LrsEndpoint.objects.filter(organization=organization).first()


def active_endpoint_for(organization_id: int) -> LrsEndpoint | None:
    return LrsEndpoint.objects.filter(organization_id=organization_id, is_active=True).first()


def statements_of(organization: Organization, *, status: str = "") -> QuerySet[XapiStatement]:
    rows = XapiStatement.objects.filter(organization=organization)
    return rows.filter(status=status) if status else rows


def outbox_counts(organization: Organization) -> dict[str, int]:
    counts = {status: 0 for status in XapiStatement.Status.values}
    for row in XapiStatement.objects.filter(organization=organization).values("status").order_by().annotate(
            n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
