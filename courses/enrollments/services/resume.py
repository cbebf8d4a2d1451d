"""Where a learner left off: the activity they opened last, which the course page and My learning resume."""
from __future__ import annotations

from courses.catalog.models import Activity
from courses.enrollments.errors import EnrollmentErrorCode, ProgressError
from courses.enrollments.models import Enrollment
from courses.enrollments.selectors import enrollment_is_open


def enrollment_activity_open(*, enrollment: Enrollment, activity: Activity) -> bool:
    """Remember that the learner opened ``activity``: one UPDATE of the enrollment's pointer, and none when it
    already points there or the enrollment is not open. Returns whether it wrote.

    The update leaves ``updated_at`` alone: opening a page is no change the HR reports sync."""
    if activity.course_id != enrollment.course_id:
        raise ProgressError("This activity is not part of the enrollment's course.",
                            code=EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, status_code=404)
    if not enrollment_is_open(enrollment) or enrollment.last_activity_id == activity.pk:
        return False
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity=activity)
    enrollment.last_activity_id = activity.pk
    return True
