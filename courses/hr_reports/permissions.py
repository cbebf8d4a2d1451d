"""Who reads reports and who manages webhooks, as DRF permission classes (compose with ``&``, ``|``, ``~``)."""
from __future__ import annotations

from rest_framework.permissions import BasePermission

from courses.hr_reports import selectors
from lms.models import Role
from lms.permissions import HasOrgRole, IsPerson

# HR and org admins; organization API keys read reports and request exports (an export only reads).
ReportReader = HasOrgRole.of(Role.HR, Role.ORG_ADMIN, allow_api_key=True)
ReportAdmin = HasOrgRole.of(Role.HR, Role.ORG_ADMIN)

# Webhooks carry secrets: people only, HR or org admins.
IsWebhookAdmin = IsPerson & ReportAdmin


class CanReadReports(BasePermission):
    """HR or org admin somewhere, an organization API key, or a superuser (``reports_can_read``)."""

    def has_permission(self, request, view) -> bool:
        return selectors.reports_can_read(actor=request.user)
