"""What every page's frame needs to know about the signed-in person."""
from __future__ import annotations

from lms.models import REPORT_ROLES, STAFF_ROLES, Role
from lms.scoping import organization_ids_for


def navigation(request) -> dict:
    """`can_teach`: organization staff and superusers see the Teaching link (the course's named instructors without
    a staff role reach /teach/ by its address; its own check is `courses.teaching.selectors.teaching_can_use`);
    `can_hr`: HR, organization admins and superusers see the HR link (/hr/ checks `reports_can_read` itself);
    `can_org_privacy`: organization admins see the link to their members' privacy (/org/privacy/)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_teach": False, "can_hr": False, "can_org_privacy": False}
    return {"can_teach": bool(user.is_superuser or organization_ids_for(user, *STAFF_ROLES)),
            "can_hr": bool(user.is_superuser or organization_ids_for(user, *REPORT_ROLES)),
            "can_org_privacy": bool(organization_ids_for(user, Role.ORG_ADMIN))}
