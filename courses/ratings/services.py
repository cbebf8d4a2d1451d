"""Course ratings: one per learner and course, editable; the course keeps its average and count.

Who may rate: a learner whose enrollment is completed or has reached 50% progress. Any learner who sees
the course may report another learner's review (once each, the reason editable); the course's staff
(its instructors and its organization's admins) hide a rating with a reason, or show it again. A hidden
rating leaves the average, the count and the pages; its author still sees it as theirs, and editing it
keeps it hidden until the staff show it again.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.errors import CoursesError
from courses.ratings.errors import RatingErrorCode
from courses.ratings.models import Rating, RatingFlag
from lms.errors import NotFound
from lms.models import User

RATING_MIN_PROGRESS = 50


def _refresh_course_rating(course: Course) -> None:
    stats = Rating.objects.filter(course=course, hidden_at__isnull=True).aggregate(average=Avg("stars"),
                                                                                  count=Count("id"))
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


MAX_FLAG_NOTE = 500
MAX_HIDE_REASON = 200


def rating_flag(*, rating: Rating, user: User, reason: str, note: str = "") -> tuple[RatingFlag, bool]:
    """Report a review (once per person; reporting again changes the reason). Returns (flag, created)."""
    if reason not in RatingFlag.Reason.values:
        raise CoursesError("Choose why you report this review.", code=RatingErrorCode.INVALID_FLAG_REASON,
                           fields={"reason": [f"One of {', '.join(RatingFlag.Reason.values)}."]})
    note = note.strip()
    if len(note) > MAX_FLAG_NOTE:
        raise CoursesError(f"A note is at most {MAX_FLAG_NOTE} characters.", fields={"note": ["Too long."]})
    if rating.user_id == user.pk:
        raise CoursesError("You cannot report your own review; edit or delete it instead.",
                           code=RatingErrorCode.CANNOT_FLAG_OWN_REVIEW, status_code=409)
    with transaction.atomic():
        Rating.objects.select_for_update().filter(pk=rating.pk).first()  # serialises the count
        flag, created = RatingFlag.objects.update_or_create(rating=rating, user=user,
                                                            defaults={"reason": reason, "note": note})
        rating.flag_count = RatingFlag.objects.filter(rating=rating).count()
        Rating.objects.filter(pk=rating.pk).update(flag_count=rating.flag_count)
    return flag, created


def rating_hide(*, rating: Rating, actor: User, reason: str) -> Rating:
    """Hide a rating from the pages and the average; the reason is kept for the staff. Idempotent."""
    reason = reason.strip()
    if not reason:
        raise CoursesError("Say why the review is hidden.", code=RatingErrorCode.HIDE_REASON_REQUIRED,
                           fields={"reason": ["This field is required."]})
    if len(reason) > MAX_HIDE_REASON:
        raise CoursesError(f"A reason is at most {MAX_HIDE_REASON} characters.", fields={"reason": ["Too long."]})
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=rating.course_id)
        rating.hidden_at = rating.hidden_at or timezone.now()
        rating.hidden_by, rating.hidden_reason = actor, reason
        Rating.objects.filter(pk=rating.pk).update(hidden_at=rating.hidden_at, hidden_by=actor,
                                                   hidden_reason=reason)
        _refresh_course_rating(course)
    return rating


def rating_unhide(*, rating: Rating, actor: User) -> Rating:
    """Show a hidden rating again (it counts in the average again). Idempotent."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=rating.course_id)
        rating.hidden_at, rating.hidden_by, rating.hidden_reason = None, None, ""
        Rating.objects.filter(pk=rating.pk).update(hidden_at=None, hidden_by=None, hidden_reason="")
        _refresh_course_rating(course)
    return rating
