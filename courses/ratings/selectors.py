"""Rating reads: a course's visible ratings, newest first, and their distribution; the moderation list and
the ratings a caller may flag or moderate, each scoped through the course the caller may see."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Course
from courses.ratings.models import Rating, RatingFlag
from lms.errors import Forbidden

STARS = (5, 4, 3, 2, 1)


def ratings_of(*, course: Course) -> QuerySet[Rating]:
    """Every rating of the course, hidden ones included (the caller's own, moderation)."""
    return Rating.objects.filter(course=course).select_related("user")


def ratings_visible(*, course: Course) -> QuerySet[Rating]:
    """What learners see: ratings nobody hid, newest first."""
    return ratings_of(course=course).filter(hidden_at__isnull=True).order_by("-updated_at", "-id")


def reviews_visible(*, course: Course) -> QuerySet[Rating]:
    """Visible ratings that carry a written review."""
    return ratings_visible(course=course).exclude(review="")


def rating_distribution(*, course: Course) -> list[tuple[int, int, int]]:
    """(stars, count, percent of all visible ratings) from 5 stars down to 1, in one query."""
    counts = dict(Rating.objects.filter(course=course, hidden_at__isnull=True).order_by()
                  .values_list("stars").annotate(count=Count("id")).values_list("stars", "count"))
    total = sum(counts.values())
    return [(stars, counts.get(stars, 0), round(100 * counts.get(stars, 0) / total) if total else 0)
            for stars in STARS]


def ratings_for_moderation(*, course: Course, flagged_only: bool = False) -> QuerySet[Rating]:
    """Every rating of the course for its staff: the most reported first, then the newest."""
    queryset = ratings_of(course=course).select_related("hidden_by")
    if flagged_only:
        queryset = queryset.filter(flag_count__gt=0)
    return queryset.order_by("-flag_count", "-updated_at", "-id")


def flag_of(*, rating: Rating, user: Any) -> RatingFlag | None:
    return RatingFlag.objects.filter(rating=rating, user=user).first()


def flags_by(*, user: Any, course: Course) -> dict[int, str]:
    """The caller's reports on the course's reviews: rating id -> reason (for the page's 'Reported' mark)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_api_key", False):
        return {}
    return dict(RatingFlag.objects.filter(user=user, rating__course=course).values_list("rating_id", "reason"))


def access_rating_flag(*, actor: Any, slug: str, rating_id: int) -> Rating:
    """A visible rating of a course the actor may see, for reporting it; 404 otherwise."""
    course = catalog_selectors.course_get(actor=actor, slug=slug)
    return get_object_or_404(ratings_visible(course=course), pk=rating_id)


def access_rating_moderate(*, actor: Any, slug: str, rating_id: int | None = None) -> tuple[Course, Rating | None]:
    """The course (and one of its ratings) for its staff: 404 when the actor cannot see the course or the
    rating is not the course's, 403 when they see the course but do not manage it."""
    course = catalog_selectors.course_get(actor=actor, slug=slug)
    if not catalog_selectors.course_can_manage(actor=actor, course=course):
        raise Forbidden("Only the course's instructors and its organization's admins moderate its reviews.")
    if rating_id is None:
        return course, None
    return course, get_object_or_404(ratings_of(course=course), pk=rating_id)


def can_moderate(*, actor: Any, course: Course) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and catalog_selectors.course_can_manage(
        actor=actor, course=course)
