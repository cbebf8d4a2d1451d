"""Course ratings: one per learner and course, editable; the course keeps its average and count.

Who may rate: a learner whose enrollment is completed or has reached 50% progress.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count

from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.errors import CoursesError
from courses.ratings.errors import RatingErrorCode
from courses.ratings.models import Rating
from lms.errors import NotFound
from lms.models import User

RATING_MIN_PROGRESS = 50


def _refresh_course_rating(course: Course) -> None:
    stats = Rating.objects.filter(course=course).aggregate(average=Avg("stars"), count=Count("id"))
    average = Decimal(str(stats["average"])).quantize(Decimal("0.01")) if stats["average"] is not None else None
    Course.objects.filter(pk=course.pk).update(rating_average=average, rating_count=stats["count"])
    course.rating_average, course.rating_count = average, stats["count"]


def rating_eligible(enrollment: Enrollment | None) -> bool:
    """Completed the course, or still active at ``RATING_MIN_PROGRESS`` percent or more."""
    return enrollment is not None and (
        enrollment.status == Enrollment.Status.COMPLETED
        or (enrollment.status == Enrollment.Status.ACTIVE and enrollment.progress_percent >= RATING_MIN_PROGRESS)
    )


def rating_upsert(*, user: User, course: Course, stars: int, review: str = "") -> tuple[Rating, bool]:
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise CoursesError("Rate from 1 to 5 stars.", code=RatingErrorCode.INVALID_RATING,
                           fields={"stars": ["1 to 5."]})
    if len(review) > 2000:
        raise CoursesError("A review is at most 2,000 characters.", fields={"review": ["Too long."]})
    if not rating_eligible(Enrollment.objects.filter(user=user, course=course).first()):
        raise CoursesError(
            f"You can rate a course once you have completed it or reached {RATING_MIN_PROGRESS}%.",
            code=RatingErrorCode.RATING_NOT_ALLOWED, status_code=403,
        )
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()  # serialises average updates
        rating, created = Rating.objects.update_or_create(
            user=user, course=course, defaults={"stars": stars, "review": review.strip()}
        )
        _refresh_course_rating(course)
    return rating, created


def rating_delete(*, user: User, course: Course) -> None:
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()
        deleted, _ = Rating.objects.filter(user=user, course=course).delete()
        if not deleted:
            raise NotFound("You have not rated this course.")
        _refresh_course_rating(course)
