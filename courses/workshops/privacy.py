"""Workshop registrations, attendance, calendar tokens and workshop mail.

A learner's registrations (with their history, attendance marks and the mails sent about them) are deleted with
the learner: the enrollment they hang off stays (see ``courses.enrollments.privacy``), so only the workshop's
seat counts change, as if they had never registered. The staff who approved, moved or marked them are detached
from those rows when they are erased, and removed from the workshops and sessions they run. A session message an
instructor wrote stays, without its author, for the learners who received it; each delivery row is its
recipient's and goes with them.
"""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "courses.Workshop",
    people={"instructors": Row.DETACH},
    fields={},
    purpose="Who runs a workshop: shown to learners, and what they may manage.",
)

personal_data(
    "courses.WorkshopSession",
    people={"instructors": Row.DETACH},
    fields={},
    purpose="Who runs a session: shown to its learners, and what they may manage.",
)

personal_data(
    "courses.Registration",
    people={"user": Row.DELETE, "enrollment__user": Row.DELETE},
    fields={
        "status": ("registered, waitlisted, cancelled", Erase.KEEP),
        "ticket": ("their ticket number", Erase.KEEP),
        "attendance": ("whether they attended", Erase.KEEP),
        "registered_at": ("when they registered", Erase.KEEP),
    },
    purpose="A learner's seat in a workshop session: waitlist, approval, attendance.",
)

personal_data(
    "courses.RegistrationEvent",
    people={"registration__user": Row.DELETE, "actor": Row.DETACH},
    fields={
        "kind": ("what happened to the registration", Erase.KEEP),
        "at": ("when", Erase.KEEP),
        "detail": ("the change's details", Erase.BLANK),
    },
    purpose="The history of a registration: who approved, moved or cancelled it, when.",
)

personal_data(
    "courses.AttendanceMark",
    people={"registration__user": Row.DELETE, "marked_by": Row.DETACH},
    fields={
        "status": ("present or absent for a part", Erase.KEEP),
        "marked_at": ("when it was marked", Erase.KEEP),
    },
    purpose="Attendance for each part of a session.",
)

personal_data(
    "courses.WorkshopEmail",
    people={"registration__user": Row.DELETE},
    fields={
        "to": ("the address the mail went to", Erase.BLANK),
        "kind": ("which mail", Erase.KEEP),
        "sent_at": ("when it was sent", Erase.KEEP),
    },
    purpose="The log of workshop mails (invitations, updates), so each is sent once.",
    retention="notification_log",
)

personal_data(
    "courses.CalendarFeedToken",
    people={"user": Row.DELETE},
    fields={
        "created_at": ("when it was made", Erase.KEEP),
        "last_used_at": ("when their calendar last read it", Erase.BLANK),
    },
    purpose="The secret address of a learner's workshop calendar feed.",
)

personal_data(
    "courses.SessionMessage",
    people={"author": Row.DETACH},
    fields={
        "subject": ("the message's subject, as its author wrote it", Erase.KEEP),
        "body": ("the message's text, as its author wrote it", Erase.KEEP),
        "created_at": ("when it was sent", Erase.KEEP),
    },
    purpose="Messages a session's staff sent its learners; kept without their author once erased.",
)

personal_data(
    "courses.SessionMessageDelivery",
    people={"registration__user": Row.DELETE},
    fields={
        "to": ("the address the message went to", Erase.BLANK),
        "sent_at": ("when it was sent", Erase.KEEP),
    },
    purpose="One delivery of a session message to a learner, so each is sent once.",
    retention="notification_log",
)
