"""Due soon: an active enrollment due within N days (default 3); once per due date."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import reminder_source


@reminder_source
class DueSoon(EnrollmentReminder):
    kind = "due_soon"
    # A new due date (re-enrolling) is a new period.
    dated_by = "due_at"
    label = "Due soon"
    default_days = 3
    days_help = "days before the due date"
    copy = {
        "en": {"subject": "\"{course}\" is due on {due}",
               "body": "\"{course}\" is due on {due} and you are {progress}% of the way there.\n"
                       "Your next activity is one click away.",
               "action": "Go to your next activity"},
        "pt-br": {"subject": "O prazo de \"{course}\" termina em {due}",
                  "body": "O prazo de \"{course}\" termina em {due} e você já fez {progress}%.\n"
                          "Sua próxima atividade está a um clique.",
                  "action": "Ir para a próxima atividade"},
    }

    def condition(self, now, days):
        return Q(due_at__gt=now, due_at__lte=now + timedelta(days=days))
