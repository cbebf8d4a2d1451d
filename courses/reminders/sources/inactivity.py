"""Inactivity: an active enrollment with no activity for N days (default 7); once per idle spell."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import reminder_source


@reminder_source
class Inactivity(EnrollmentReminder):
    kind = "inactivity"
    # One reminder per idle spell: coming back and going quiet again starts a new period.
    dated_by = "last_activity_at"
    label = "No activity for a while"
    default_days = 7
    days_help = "days without activity"
    copy = {
        "en": {"subject": "Pick up where you left off: {course}",
               "body": "It has been a few days since you last worked on \"{course}\" ({progress}% done).\n"
                       "A few minutes today keep what you learned fresh.",
               "action": "Continue the course"},
        "pt-br": {"subject": "Continue de onde parou: {course}",
                  "body": "Faz alguns dias que você não avança em \"{course}\" ({progress}% concluído).\n"
                          "Poucos minutos hoje ajudam a manter vivo o que você aprendeu.",
                  "action": "Continuar o curso"},
    }

    def condition(self, now, days):
        return Q(last_activity_at__isnull=False, last_activity_at__lte=now - timedelta(days=days))
