"""Models of the courses app, one module per area; import them from here."""
from courses.catalog.models import (
    BCP47,
    Activity,
    Category,
    Course,
    CourseCoverRendition,
    CourseSearchDocument,
    Lesson,
    LessonCaption,
    LessonImage,
    Module,
    Tag,
    validate_language,
)
from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments.models import ActivityProgress, Enrollment, Extension, GradeOverride, VideoWatch
from courses.hr_reports.models import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint
from courses.ratings.models import Rating, RatingFlag
from courses.reminders.models import NotificationPreference, ReminderLog, ReminderPolicy, ReminderSettings
from courses.workshops.models import (
    AttendanceMark,
    CalendarFeedToken,
    Registration,
    RegistrationEvent,
    SessionPart,
    Workshop,
    WorkshopEmail,
    WorkshopSession,
)
from courses.xapi.models import LrsEndpoint, XapiStatement

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
    "CourseCoverRendition",
    "CourseSearchDocument",
    "Enrollment",
    "Extension",
    "GradeOverride",
    "Lesson",
    "LessonCaption",
    "LessonImage",
    "LrsEndpoint",
    "Module",
    "NotificationPreference",
    "Rating",
    "RatingFlag",
    "Registration",
    "RegistrationEvent",
    "ReminderLog",
    "ReminderPolicy",
    "ReminderSettings",
    "ReportAuditEntry",
    "ReportExport",
    "SessionPart",
    "Tag",
    "VideoWatch",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workshop",
    "WorkshopEmail",
    "WorkshopSession",
    "XapiStatement",
    "validate_language",
]
