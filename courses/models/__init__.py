"""Models of the courses app, one module per area; import them from here."""
from courses.models.catalog import BCP47, Activity, Category, Course, Lesson, Module, Tag, validate_language
from courses.models.certificates import Certificate, CertificateEvent
from courses.models.learning import ActivityProgress, Enrollment, Rating
from courses.models.reminders import NotificationPreference, ReminderLog, ReminderPolicy, ReminderSettings

__all__ = [
    "BCP47", "Activity", "ActivityProgress", "Category", "Certificate", "CertificateEvent", "Course", "Enrollment",
    "Lesson", "Module", "NotificationPreference", "Rating", "ReminderLog", "ReminderPolicy", "ReminderSettings", "Tag",
    "validate_language",
]
