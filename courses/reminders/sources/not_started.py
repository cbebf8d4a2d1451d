"""Not started: enrolled N days ago (default 3) and nothing done yet; once per enrollment."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, Value

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import reminder_source


@reminder_source
class NotStarted(EnrollmentReminder):
    kind = "not_started"
    label = "Enrolled but not started"
    default_days = 3
    days_help = "days after enrolling"
    copy = {
        "en": {"subject": "Ready to start \"{course}\"?",
               "body": "You enrolled in \"{course}\" but have not opened it yet.\n"
                       "The first activity is waiting for you.",
               "action": "Start the first activity"},
        "pt-br": {"subject": "Vamos começar \"{course}\"?",
                  "body": "Você se inscreveu em \"{course}\", mas ainda não começou.\n"
                          "A primeira atividade está esperando por você.",
                  "action": "Começar a primeira atividade"},
    }

    def condition(self, now, days):
        return Q(last_activity_at__isnull=True, progress_percent=0, enrolled_at__lte=now - timedelta(days=days))

    def period(self):
        return Value("once")
