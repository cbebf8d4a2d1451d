"""What pages show of an organization's branding: the address of its logo (served by lms/pages/branding.py)."""
from __future__ import annotations

from django.urls import reverse

from lms.models import Organization


def logo_url(organization: Organization | None) -> str | None:
    """The logo's address, or ``None`` when the organization has no logo (or there is no organization)."""
    if organization is None or not organization.logo:
        return None
    token = organization.logo.name.rsplit("/", 1)[-1].removesuffix(".png")
    return reverse("pages:organization-logo", args=[token])
