"""A learner's enrollments and everything recorded as they learn.

Why the enrollment is SCRUB, not DELETE: ``Certificate.enrollment`` is a one-to-one key with
``on_delete=PROTECT``, so deleting an enrollment that earned a certificate is refused by the database layer (and
were it CASCADE, the certificate would go with it). Certificates must stay verifiable after erasure, so the
enrollment row stays, still pointing at the learner's account row, which erasure keeps deactivated, without name
and with a pseudonymous address: the organization's completion figures stay true and name no one. What the
learner did inside the course (progress per activity, the parts of videos watched, grade overrides and extensions
about them) is deleted: the certificate copies the figures it shows. The instructors who enrolled them, changed a
grade or granted an extension are detached from those rows when they themselves are erased; the reasons they
wrote stay with the learner's rows.
"""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "courses.Enrollment",
    people={"user": Row.SCRUB, "enrolled_by": Row.DETACH},
    fields={
        "status": ("enrolled, completed or withdrawn", Erase.KEEP),
        "enrolled_at": ("when they enrolled", Erase.KEEP),
        "due_at": ("when the course is due", Erase.KEEP),
        "completed_at": ("when they completed the course", Erase.KEEP),
        "withdrawn_at": ("when they withdrew", Erase.KEEP),
        "last_activity_at": ("when they last studied", Erase.KEEP),
        "last_activity": ("where they left off", Erase.KEEP),
        "progress_percent": ("how far they are", Erase.KEEP),
        "final_score": ("their final score", Erase.KEEP),
        "time_spent_seconds": ("time spent studying", Erase.KEEP),
    },
    purpose="A learner's place in a course: progress, completion, the certificate it earns, HR reports.",
)

personal_data(
    "courses.ActivityProgress",
    people={"enrollment__user": Row.DELETE},
    fields={
        "status": ("their result in the activity", Erase.KEEP),
        "score": ("their score", Erase.KEEP),
        "attempts": ("how many attempts", Erase.KEEP),
        "first_seen_at": ("when they first opened it", Erase.KEEP),
        "last_seen_at": ("when they last opened it", Erase.KEEP),
        "completed_at": ("when they completed it", Erase.KEEP),
        "time_spent_seconds": ("time spent on it", Erase.KEEP),
    },
    purpose="A learner's progress in each activity, from which completion is computed.",
)

personal_data(
    "courses.VideoWatch",
    people={"enrollment__user": Row.DELETE},
    fields={
        "ranges": ("the parts of the video they played", Erase.KEEP),
        "seconds_watched": ("seconds watched", Erase.KEEP),
    },
    purpose="Which parts of a lesson video a learner played, to credit watching.",
)

personal_data(
    "courses.GradeOverride",
    people={"enrollment__user": Row.DELETE, "changed_by": Row.DETACH},
    fields={
        "old_status": ("their result before the change", Erase.KEEP),
        "new_status": ("their result after the change", Erase.KEEP),
        "old_score": ("their score before the change", Erase.KEEP),
        "new_score": ("their score after the change", Erase.KEEP),
        "reason": ("why an instructor changed their grade", Erase.BLANK),
        "created_at": ("when", Erase.KEEP),
    },
    purpose="The audit trail of grade changes an instructor made for a learner.",
)

personal_data(
    "courses.Extension",
    people={"enrollment__user": Row.DELETE, "granted_by": Row.DETACH},
    fields={
        "kind": ("due date, attempts or time", Erase.KEEP),
        "amount": ("how much more", Erase.KEEP),
        "due_at": ("the new due date", Erase.KEEP),
        "reason": ("why it was granted", Erase.BLANK),
        "created_at": ("when", Erase.KEEP),
    },
    purpose="Extensions of due date, attempts or time granted to a learner.",
)
