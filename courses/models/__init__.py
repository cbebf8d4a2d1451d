"""Models of the courses app, one module per area; import them from here."""
from courses.models.catalog import BCP47, Activity, Category, Course, Lesson, Module, Tag, validate_language
from courses.models.certificates import Certificate, CertificateEvent
from courses.models.learning import ActivityProgress, Enrollment, Rating
from courses.models.reminders import NotificationPreference, ReminderLog, ReminderPolicy, ReminderSettings
from courses.models.reports import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint
from courses.models.workshops import (
    AttendanceMark,
    CalendarFeedToken,
    Registration,
    RegistrationEvent,
    SessionPart,
    Workshop,
    WorkshopEmail,
    WorkshopSession,
)

__all__ = [
    "BCP47",
    "Activity",
    "ActivityProgress",
    "AttendanceMark",
    "CalendarFeedToken",
    "Category",
    "Certificate",
    "CertificateEvent",
    "Course",
    "Enrollment",
    "Lesson",
    "Module",
    "NotificationPreference",
    "Rating",
    "Registration",
    "RegistrationEvent",
    "ReminderLog",
    "ReminderPolicy",
    "ReminderSettings",
    "ReportAuditEntry",
    "ReportExport",
    "SessionPart",
    "Tag",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workshop",
    "WorkshopEmail",
    "WorkshopSession",
    "validate_language",
]
