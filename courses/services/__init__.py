"""Every write in the courses app. Import from here: ``from courses import services``."""
from courses.services.catalog import (
    activity_create,
    course_archive,
    course_create,
    course_publish,
    course_recompute_estimate,
    course_update,
    lesson_attach_captions,
    lesson_attach_ebook,
    lesson_update,
    module_create,
)
from courses.services.enrollments import (
    enrollment_create,
    enrollment_withdraw,
    enrollments_bulk_create,
)
from courses.services.progress import (
    activity_heartbeat,
    activity_record_result,
    lesson_complete,
    on_enrollment_completed,
)
from courses.services.ratings import rating_delete, rating_upsert
from courses.services.workshop_attendance import attendance_record
from courses.services.workshop_mail import calendar_feed_create, calendar_feed_revoke, workshop_email_send
from courses.services.workshops import (
    registration_cancel,
    registration_create,
    registration_decide,
    session_cancel,
    session_create,
    session_update,
    workshop_create,
)

__all__ = [
    "activity_create",
    "activity_heartbeat",
    "activity_record_result",
    "attendance_record",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "course_archive",
    "course_create",
    "course_publish",
    "course_recompute_estimate",
    "course_update",
    "enrollment_create",
    "enrollment_withdraw",
    "enrollments_bulk_create",
    "lesson_attach_captions",
    "lesson_attach_ebook",
    "lesson_complete",
    "lesson_update",
    "module_create",
    "on_enrollment_completed",
    "rating_delete",
    "rating_upsert",
    "registration_cancel",
    "registration_create",
    "registration_decide",
    "session_cancel",
    "session_create",
    "session_update",
    "workshop_create",
    "workshop_email_send",
]
