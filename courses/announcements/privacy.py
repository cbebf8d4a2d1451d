"""Announcements a course's staff wrote, and their deliveries to learners.

An announcement stays, without its author, once the author is erased: the learners who received it keep it on the
course page. Each delivery row is its recipient's and is deleted with them.
"""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "courses.Announcement",
    people={"author": Row.DETACH},
    fields={
        "subject": ("the announcement's subject, as its author wrote it", Erase.KEEP),
        "body": ("the announcement's text, as its author wrote it", Erase.KEEP),
        "created_at": ("when it was posted", Erase.KEEP),
    },
    purpose="Announcements to a course's or a session's learners; kept without their author once erased.",
)

personal_data(
    "courses.AnnouncementDelivery",
    people={"user": Row.DELETE},
    fields={
        "to": ("the address the announcement went to", Erase.BLANK),
        "sent_at": ("when it was sent", Erase.KEEP),
    },
    purpose="One delivery of an announcement to a learner, so each is sent once.",
    retention="notification_log",
)
