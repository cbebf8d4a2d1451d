"""Workshop session soon: a learner booked in a scheduled session hears of it before it starts, once
per lead of ``WORKSHOP_REMINDER_HOURS`` (default 24 h and 1 h).

Subject = the session, period = the lead ("24h", "1h", "30m"), so each lead goes out once per person
and session. The leads' windows do not overlap: a session starting within 1 h is due for the 1 h
reminder only (someone who books 30 minutes before gets one message, not two). Selection is one
query whatever the number of leads: an OR of the windows, the period picked by a CASE.

The "days" of a policy means nothing here (the leads are a setting); enabling or disabling the kind
per organization and per course (the workshop's course) works as for any other kind.

Enrollment: registering needs an active or completed enrollment, and a learner who completed the
course but still holds a seat should be told, so this kind does not need an active enrollment;
bookings whose enrollment was withdrawn or expired are left out at selection.
"""
from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import formats, translation

from courses.enrollments.models import Enrollment
from courses.reminders.registry import Message, ReminderSource, due_columns, reminder_source
from courses.workshops.models import Registration, WorkshopSession
from courses.workshops.selectors import reminder_leads


def lead_label(lead: timedelta) -> str:
    """The period of a lead: whole hours as "24h", anything else in minutes ("30m")."""
    minutes = round(lead.total_seconds() / 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def session_url(session_id: int) -> str:
    """The session's page, where the learner also adds it to a calendar."""
    return settings.SITE_URL + reverse("pages:workshop-session", args=[session_id])


@reminder_source
class WorkshopSessionSoon(ReminderSource):
    kind = "workshop_session_soon"
    label = "Workshop session soon"
    default_days = 0
    days_help = "not used: the leads come from WORKSHOP_REMINDER_HOURS (24 h and 1 h by default)"
    needs_active_enrollment = False
    copy = {
        "en": {"subject": "Coming up: \"{title}\" on {when}",
               "body": "Your seat in \"{title}\" ({course}) is booked. It begins on {when} ({zone}).",
               "venue": "Where: {venue}",
               "online": "Join online: {url}",
               "closing": "Add it to your calendar so it does not slip by.",
               "action": "Open the session's page"},
        "pt-br": {"subject": "Está chegando: \"{title}\" em {when}",
                  "body": "Sua vaga em \"{title}\" ({course}) está garantida. Começa em {when} ({zone}).",
                  "venue": "Local: {venue}",
                  "online": "Participe on-line: {url}",
                  "closing": "Coloque na sua agenda para não esquecer.",
                  "action": "Abrir a página da sessão"},
    }

    @staticmethod
    def windows(now) -> list[tuple[str, Q]]:
        """(period, condition on the session's start) per lead, shortest first, each from the next
        shorter lead (exclusive) to its own lead (inclusive)."""
        result, floor = [], timedelta(0)
        for lead in sorted(set(reminder_leads())):
            if lead <= timedelta(0):
                continue
            result.append((lead_label(lead), Q(session__starts_at__gt=now + floor,
                                               session__starts_at__lte=now + lead)))
            floor = lead
        return result

    def due(self, *, now, policies) -> QuerySet:
        windows = self.windows(now)
        # No leads configured: a range nothing falls in (an empty IN would make the SQL vanish).
        any_window = Q(session__starts_at__gt=now, session__starts_at__lt=now)
        for _period, condition in windows:
            any_window |= condition
        rules = policies.q(lambda _days: any_window, org_field="enrollment__organization_id",
                           course_field="enrollment__course_id")
        period = Case(*[When(condition, then=Value(label)) for label, condition in windows],
                      output_field=CharField())
        return (Registration.objects
                .filter(status=Registration.Status.BOOKED, session__status=WorkshopSession.Status.SCHEDULED,
                        enrollment__status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED])
                .filter(rules)
                .annotate(**due_columns(recipient=F("user_id"), subject=F("session_id"), enrollment=F("enrollment_id"),
                                        organization=F("enrollment__organization_id"), period=period))
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    def load(self, logs: list) -> dict[int, Any]:
        """The sessions of a batch with their workshop and course: one query."""
        sessions = (WorkshopSession.objects.select_related("workshop__activity__course")
                    .in_bulk({log.subject_id for log in logs}))
        return {log.pk: sessions.get(log.subject_id) for log in logs}

    def message(self, log, data: WorkshopSession | None, language: str) -> Message:
        words = self.copy[language]
        if data is None:  # the session was deleted after the sweep
            return Message(subject=words["subject"].format(title="", when=""), paragraphs=[])
        zone = _zone(data.timezone)
        with translation.override(language):
            when = formats.date_format(data.starts_at.astimezone(zone), "DATETIME_FORMAT") if data.starts_at else ""
        title = data.title or data.workshop.activity.title
        fields = {"title": title, "when": when, "zone": zone.key, "course": data.workshop.activity.course.title}
        paragraphs = [words["body"].format(**fields)]
        if data.venue:
            paragraphs.append(words["venue"].format(venue=data.venue))
        if data.online_url:
            paragraphs.append(words["online"].format(url=data.online_url))
        paragraphs.append(words["closing"])
        return Message(subject=words["subject"].format(**fields), paragraphs=paragraphs,
                       action_label=words["action"], action_url=session_url(data.pk))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
