"""Reads for the courses app, scoped to the caller through lms.scoping (GUIDE §3).

Who sees what:
- a course: published and either public (no organization) or owned by an organization the
  caller belongs to; plus, whatever its status, the courses the caller manages (instructor of
  the course, or org admin of its organization). Superusers see all.
- an enrollment: one's own; those in courses one manages; those of people in an organization
  where one is HR or org admin (by the enrollment's organization); one's team as a supervisor.
"""
from __future__ import annotations

from django.db.models import QuerySet

from courses.catalog.models import Course
from courses.ratings.models import Rating


def ratings_of(*, course: Course) -> QuerySet[Rating]:
    return Rating.objects.filter(course=course).select_related("user")
