"""Reminder reads for organization admins: the organization, its policies, one policy."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from courses.catalog.models import Course
from courses.errors import CoursesErrorCode
from courses.reminders.models import ReminderPolicy, ReminderSettings
from lms import selectors as people_selectors
from lms.errors import NotFound
from lms.models import Organization, Role


def reminder_organization_get(*, actor: Any, slug: str) -> Organization:
    """An organization whose reminders the actor manages (org admin or superuser); else 404."""

    return people_selectors.organization_get(actor=actor, slug=slug, roles=(Role.ORG_ADMIN,))


def reminder_policies_of(*, organization: Organization) -> QuerySet[ReminderPolicy]:
    return ReminderPolicy.objects.filter(organization=organization).select_related("course").order_by(
        "kind", "course_id", "id")


def reminder_policy_get(*, organization: Organization, policy_id: int) -> ReminderPolicy:
    return get_object_or_404(reminder_policies_of(organization=organization), pk=policy_id)


def reminder_course_get(*, slug: str) -> Course:
    """The course a reminder policy names, or 404 ``course_not_found``."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise NotFound("Course not found.", code=CoursesErrorCode.COURSE_NOT_FOUND)
    return course


def reminder_settings_of(*, organization: Organization) -> ReminderSettings:
    """The organization's reminder settings; unsaved defaults when it has none yet."""
    return ReminderSettings.objects.filter(organization=organization).first() or ReminderSettings(
        organization=organization)
