"""Reminder preferences and the reminder log.

A person's preferences and the log of reminders sent to them are deleted with them. A reminder sent to a manager
about a learner's enrollment is the manager's: erasing the learner leaves it, pointing at the kept, nameless
enrollment, so the manager is not reminded again. The organization's sender addresses are its settings.
"""
from lms.privacy.registry import Erase, Row, not_personal, personal_data

personal_data(
    "courses.NotificationPreference",
    people={"user": Row.DELETE},
    fields={
        "email_enabled": ("whether they receive reminders", Erase.KEEP),
        "disabled_kinds": ("the reminders they turned off", Erase.KEEP),
        "quiet_start": ("their quiet hours' start", Erase.KEEP),
        "quiet_end": ("their quiet hours' end", Erase.KEEP),
        "quiet_days": ("their quiet days", Erase.KEEP),
        "paused_at": ("when mail to them was paused (a bounce)", Erase.KEEP),
        "paused_reason": ("why mail to them was paused", Erase.BLANK),
    },
    purpose="What reminders a person wants and when.",
)

personal_data(
    "courses.ReminderLog",
    people={"recipient": Row.DELETE, "enrollment__user": Row.SCRUB},
    fields={
        "kind": ("which reminder", Erase.KEEP),
        "period": ("the window it was sent in", Erase.KEEP),
        "status": ("sent, suppressed, failed", Erase.KEEP),
        "sent_at": ("when it was sent", Erase.KEEP),
        "detail": ("why it was suppressed, or the mail server's error", Erase.BLANK),
    },
    purpose="The log of reminders, so each is sent once, capped per day and folded into digests.",
    retention="reminder_log",
)

not_personal("courses.ReminderSettings", ["from_email", "reply_to"],
             reason="the organization's sender and reply addresses for reminders")
