"""Who may open the instructor's workspace, and the courses it shows them."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from courses.catalog.models import Course
from courses.catalog.selectors import course_manage_q
from lms.models import STAFF_ROLES
from lms.scoping import is_unrestricted, organization_ids_for, person_id


def teaching_can_use(*, actor: Any) -> bool:
    """Organization staff (instructors, supervisors, organization admins), anyone named instructor of a course,
    and superusers. Learners, HR and API keys may not."""
    if is_unrestricted(actor):
        return True
    user_id = person_id(actor)
    if user_id is None:
        return False
    if organization_ids_for(actor, *STAFF_ROLES):
        return True
    return Course.objects.filter(instructors__id=user_id).exists()


def teaching_courses(*, actor: Any) -> QuerySet[Course]:
    """The courses this person teaches or manages, newest first."""
    return (Course.objects.filter(course_manage_q(actor)).distinct()
            .select_related("organization").order_by("-created_at", "-pk"))
