"""Who reads reports and who manages webhooks, as permission classes composed in the views."""
from __future__ import annotations

from lms.models import Role
from lms.permissions import HasOrgRole, IsPerson

# HR and org admins; organization API keys read reports and request exports (an export only reads).
ReportReader = HasOrgRole.of(Role.HR, Role.ORG_ADMIN, allow_api_key=True)
ReportAdmin = HasOrgRole.of(Role.HR, Role.ORG_ADMIN)

# Webhooks carry secrets: people only, HR or org admins.
IsWebhookAdmin = IsPerson & ReportAdmin
