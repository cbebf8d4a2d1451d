"""Who configures xAPI: an organization's admins (people only: the endpoint carries credentials)."""
from __future__ import annotations

from lms.models import Role
from lms.permissions import HasOrgRole, IsPerson

IsXapiAdmin = IsPerson & HasOrgRole.of(Role.ORG_ADMIN)
