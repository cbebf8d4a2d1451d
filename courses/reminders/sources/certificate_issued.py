"""Certificate issued: tells the learner's manager that a team member earned a certificate.

The learner's own "your certificate is ready" email stays with the certificates app
(``courses.certificates.services.certificate_send_issue_email``): it is transactional (it carries the
download, verify and LinkedIn links), is sent right after rendering, is claimed in the database before
it is sent, and must reach a learner who opted out of reminders. Sending it again from here would
mail the learner twice; so this kind reuses that email for the learner and adds the manager's
notification, which does honour opt-outs, quiet hours and the daily cap. Certificates issued within
the last N days (default 7) qualify, so a first sweep does not mail about old certificates.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value

from courses.certificates.links import verify_url
from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.reminders.copy import format_date
from courses.reminders.registry import Message, ReminderSource, due_columns, reminder_source
from lms.models import Membership


@reminder_source
class CertificateIssued(ReminderSource):
    kind = "certificate_issued"
    label = "Certificate issued (to the manager)"
    default_days = 7
    days_help = "days after issue during which it is still announced"
    needs_active_enrollment = False
    copy = {
        "en": {"subject": "{learner} earned a certificate: {course}",
               "body": "{learner}, on your team, completed \"{course}\" on {date}.\n"
               "A word of recognition goes a long way.",
               "action": "See the certificate"},
        "pt-br": {"subject": "{learner} conquistou um certificado: {course}",
                  "body": "{learner}, da sua equipe, concluiu \"{course}\" em {date}.\n"
                  "Um reconhecimento faz diferença.",
                  "action": "Ver o certificado"},
    }

    def due(self, *, now, policies) -> QuerySet:
        manager = Membership.objects.filter(
            user_id=OuterRef("enrollment__user_id"), organization_id=OuterRef("enrollment__organization_id"),
            is_active=True, manager__isnull=False, manager__is_active=True,
        ).values("manager__user_id")[:1]
        rules = policies.q(lambda days: self._recent(now, days), org_field="enrollment__organization_id",
                           course_field="enrollment__course_id")
        return (Certificate.objects.filter(status=Certificate.Status.VALID).filter(rules)
                .annotate(**due_columns(recipient=Subquery(manager), subject=F("id"), enrollment=F("enrollment_id"),
                                        organization=F("enrollment__organization_id"), period=Value("once")))
                .filter(r_recipient__isnull=False)
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    @staticmethod
    def _recent(now, days):
        return Q(issued_at__gt=now - timedelta(days=max(days, 1)))

    def load(self, logs: list) -> dict[int, Any]:
        certificates = Certificate.objects.in_bulk([log.subject_id for log in logs])
        return {log.pk: certificates.get(log.subject_id) for log in logs}

    def message(self, log, data: Certificate | None, language: str) -> Message:
        words = self.copy[language]
        enrollment: Enrollment = log.enrollment
        fields = {"learner": data.learner_name if data else enrollment.user.display_name,
                  "course": data.course_title if data else enrollment.course.title,
                  "date": format_date(data.issued_at if data else log.created_at, language)}
        return Message(subject=words["subject"].format(**fields),
                       paragraphs=[p.format(**fields) for p in words["body"].split("\n")],
                       action_label=words["action"], action_url=verify_url(data.code) if data else "")
