"""Rows of every retention data class, each dated as a test asks, built straight in the tables: retention
reads only the dates and states, so nothing here needs the services that write these rows in the product."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from assessments.roleplays.models import Performance
from courses.announcements.models import Announcement, AnnouncementDelivery
from courses.certificates.models import Certificate, CertificateEvent
from courses.enrollments import services as enrollment_services
from courses.hr_reports.models import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint
from courses.reminders import log_storage
from courses.reminders.models import ReminderLog
from courses.workshops.models import Registration, SessionMessage, SessionMessageDelivery, WorkshopEmail
from courses.xapi.models import XapiStatement
from tests import factories as people
from tests.assessments.roleplays import factories as roleplays
from tests.courses.workshops.conftest import make_session, make_workshop, workshop_course


class Parents:
    """One of each row the log rows hang from, made once per test."""

    def __init__(self, organization):
        self.organization = organization
        self.learner = people.member(organization)
        course = workshop_course(organization=None)
        self.enrollment, _ = enrollment_services.enrollment_create(user=self.learner, course=course)
        session = make_session(make_workshop(course=course))
        self.registration = Registration.objects.create(session=session, user=self.learner,
                                                        enrollment=self.enrollment, status="booked",
                                                        ticket=1)
        self.message = SessionMessage.objects.create(session=session, subject="Room", body="Room 4.", key="m1")
        self.announcement = Announcement.objects.create(course=course, subject="News", body="Hello.")
        self.certificate = Certificate.objects.create(
            enrollment=self.enrollment, code=uuid.uuid4().hex[:12], learner_name="Ana Lima", course_title="Calls",
            course_language="en", issuer_name="Acme", hours_credited=1)
        self.endpoint = WebhookEndpoint.objects.create(organization=organization, url="https://hooks.example.com/",
                                                       secret_encrypted="x")
        self._count = 0

    def _next(self) -> int:
        self._count += 1
        return self._count

    def workshop_email(self, at: datetime) -> WorkshopEmail:
        n = self._next()
        return WorkshopEmail.objects.create(key=f"e{n}", registration=self.registration, kind="booked",
                                            method="REQUEST", sequence=0, to="ana@example.com", created_at=at,
                                            sent_at=at)

    def session_message_delivery(self, at: datetime) -> SessionMessageDelivery:
        return SessionMessageDelivery.objects.create(message=self.message, registration=self.registration,
                                                     key=f"d{self._next()}", to="ana@example.com", created_at=at,
                                                     sent_at=at)

    def announcement_delivery(self, at: datetime) -> AnnouncementDelivery:
        announcement = Announcement.objects.create(course=self.announcement.course, subject="News", body="Hi.")
        return AnnouncementDelivery.objects.create(announcement=announcement, user=self.learner,
                                                   to="ana@example.com", created_at=at, sent_at=at)

    def certificate_event(self, at: datetime) -> CertificateEvent:
        return CertificateEvent.objects.create(certificate=self.certificate, kind="issued", at=at)

    def webhook_delivery(self, at: datetime, status: str = "succeeded") -> WebhookDelivery:
        return WebhookDelivery.objects.create(endpoint=self.endpoint, event_type="enrollment.completed",
                                              object_id=self._next(), payload={"email": "ana@example.com"},
                                              status=status, created_at=at)

    def report_audit(self, at: datetime) -> ReportAuditEntry:
        return ReportAuditEntry.objects.create(kind="summary", organization=self.organization, user=self.learner,
                                               at=at)

    def report_export(self, at: datetime, status: str = "done") -> ReportExport:
        export = ReportExport.objects.create(organization=self.organization, requested_by=self.learner,
                                             format="csv", request_key=uuid.uuid4().hex, status=status,
                                             created_at=at - timedelta(minutes=5), finished_at=at,
                                             expires_at=at + timedelta(hours=24))
        export.file.save(f"export-{export.pk}.csv", ContentFile(b"email\nana@example.com\n"))
        return export

    def xapi_statement(self, at: datetime, status: str = "sent") -> XapiStatement:
        return XapiStatement.objects.create(statement_id=uuid.uuid4(), organization=self.organization,
                                            event=f"e:{self._next()}", verb="completed", statement={},
                                            status=status, sent_at=at if status == "sent" else None, created_at=at)

    def reminder(self, period: str) -> ReminderLog:
        month = log_storage.period_month(period)
        with connection.cursor() as cursor:
            log_storage.partitions_ensure(cursor, ReminderLog._meta.db_table, [month])
        return ReminderLog.objects.create(recipient=self.learner, kind="course_due", subject_id=self._next(),
                                          period=period, status="sent")


def recording(organization, *, scored_at: datetime | None, **fields) -> Performance:
    """A learner's role-play performance with a stored recording, scored at ``scored_at`` (None: in review)."""
    w = roleplays.world(organization, learners=1)
    performance = roleplays.perform(w, 0)
    name = default_storage.save(f"roleplays/take-{performance.pk}.webm", ContentFile(b"\x1a\x45\xdf\xa3 video"))
    status = Performance.Status.SCORED if scored_at else Performance.Status.IN_REVIEW
    Performance.objects.filter(pk=performance.pk).update(media=name, media_type="video/webm", media_size=10,
                                                         status=status, scored_at=scored_at, **fields)
    performance.refresh_from_db()
    return performance
