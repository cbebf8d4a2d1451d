"""The shared shape of the reminders about one enrollment (inactivity, not started, due soon, overdue)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, TruncDate

from courses.enrollments.models import Enrollment
from courses.reminders.copy import format_date, next_activity_links
from courses.reminders.registry import KindPolicies, Message, ReminderSource, due_columns
from lms.models import Membership


def date_period(field: str):
    """The UTC date of a timestamp as text (YYYY-MM-DD), computed in SQL."""
    return Cast(TruncDate(field), CharField())


# How long before a sweep's mark an enrollment's change is looked at again (``due_since``): the time between
# a write's ``updated_at`` and its commit, which a sweep in between cannot see.
CHANGE_MARGIN = timedelta(hours=1)


class EnrollmentReminder(ReminderSource):
    """Subclasses give ``condition(now, days)`` (a Q on Enrollment), ``copy``, and either ``dated_by`` (the
    period is that field's date) or ``period()``."""

    copy: ClassVar[dict[str, dict[str, str]]]

    def condition(self, now: datetime, days: int) -> Q:
        raise NotImplementedError

    def period(self):
        if self.dated_by is None:
            raise NotImplementedError
        return date_period(self.dated_by)

    def due(self, *, now: datetime, policies: KindPolicies) -> QuerySet:
        return self._due(policies.q(lambda days: self.condition(now, days), org_field="organization_id",
                                    course_field="course_id"))

    def due_since(self, *, now: datetime, since: datetime, policies: KindPolicies) -> QuerySet:
        """Each rule's condition at ``now`` and, on the same enrollments, not at ``since`` (a last activity or
        a due date crossed its number of days in between), or on an enrollment changed since then: its
        ``updated_at`` (stamped by every write, the HR sync's cursor too) from ``CHANGE_MARGIN`` before
        ``since``, so that a change committed up to that long after it was stamped is still seen."""
        changed = Q(updated_at__gte=since - CHANGE_MARGIN)
        return self._due(policies.q(lambda days: self.condition(now, days) & (~self.condition(since, days) | changed),
                                    org_field="organization_id", course_field="course_id"))

    def _due(self, rules: Q) -> QuerySet:
        # Nobody is reminded of a course taken for an organization whose membership was deactivated (by its
        # admins or by SCIM provisioning); the enrollment and its history stay.
        deactivated = Membership.objects.filter(
            user_id=OuterRef("user_id"), organization_id=OuterRef("organization_id"), is_active=False)
        return (Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).filter(rules)
                .exclude(Exists(deactivated))
                .annotate(**due_columns(recipient=F("user_id"), subject=F("id"), enrollment=F("id"),
                                        organization=F("organization_id"), period=self.period()))
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    def load(self, logs: list) -> dict[int, Any]:
        enrollments = [log.enrollment for log in logs if log.enrollment is not None]
        links = next_activity_links(enrollments)
        return {log.pk: {"enrollment": log.enrollment, "link": links.get(log.enrollment_id, "")}
                for log in logs if log.enrollment is not None}

    def message(self, log, data: Any, language: str) -> Message:
        enrollment = data["enrollment"]
        words = self.copy[language]
        fields = {
            "course": enrollment.course.title,
            "due": format_date(enrollment.due_at, language) if enrollment.due_at else "",
            "progress": enrollment.progress_percent,
        }
        return Message(subject=words["subject"].format(**fields),
                       paragraphs=[p.format(**fields) for p in words["body"].split("\n")],
                       action_label=words["action"], action_url=data["link"])
