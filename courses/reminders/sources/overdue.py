"""Overdue: an active enrollment N days past its due date (default 0: as soon as it is late); once per due date."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import reminder_source


@reminder_source
class Overdue(EnrollmentReminder):
    kind = "overdue"
    dated_by = "due_at"
    label = "Overdue"
    default_days = 0
    days_help = "days after the due date"
    copy = {
        "en": {"subject": "\"{course}\" was due on {due}",
               "body": "\"{course}\" was due on {due}; you have completed {progress}% so far.\n"
                       "You can still finish it: pick up at your next activity.",
               "action": "Finish the course"},
        "pt-br": {"subject": "O prazo de \"{course}\" terminou em {due}",
                  "body": "O prazo de \"{course}\" terminou em {due}; você concluiu {progress}% até agora.\n"
                          "Ainda dá para terminar: continue pela próxima atividade.",
                  "action": "Concluir o curso"},
    }

    def condition(self, now, days):
        return Q(due_at__isnull=False, due_at__lte=now - timedelta(days=days))
