"""Rating reads: a course's ratings, newest first."""
from __future__ import annotations

from django.db.models import QuerySet

from courses.catalog.models import Course
from courses.ratings.models import Rating


def ratings_of(*, course: Course) -> QuerySet[Rating]:
    return Rating.objects.filter(course=course).select_related("user")
