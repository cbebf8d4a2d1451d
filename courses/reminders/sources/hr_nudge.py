"""HR's "remind now": a reminder HR sends by hand from the overdue list, never by the sweep.

The log row names the learner as its subject and the day as its period, so the log's unique key lets at
most one such reminder reach a learner per day, whoever clicks and however often
(``courses.reminders.services.nudge``). The message is about the enrollment the row names (the learner's
most overdue course in that organization)."""
from __future__ import annotations

from django.db.models import Q

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import KindPolicies, Rule, reminder_source

KIND = "hr_nudge"


@reminder_source
class HrNudge(EnrollmentReminder):
    kind = KIND
    dated_by = "due_at"
    label = "Reminder from HR"
    default_days = 0
    default_enabled = False  # the sweep never selects it: HR sends it from /hr/people/
    days_help = "not used: HR sends this reminder by hand"
    copy = {
        "en": {"subject": "A reminder from your HR team: \"{course}\"",
               "body": "Your HR team asks you to finish \"{course}\", which was due on {due}; "
                       "you have completed {progress}% so far.\nPick up at your next activity.",
               "action": "Finish the course"},
        "pt-br": {"subject": "Um lembrete da sua equipe de RH: \"{course}\"",
                  "body": "Sua equipe de RH pede que você conclua \"{course}\", com prazo em {due}; "
                          "você concluiu {progress}% até agora.\nContinue pela próxima atividade.",
                  "action": "Concluir o curso"},
    }

    swept = False  # the sweep skips it: a scan of every enrollment every interval, to find nothing

    def condition(self, now, days):
        return Q(due_at__isnull=True) & Q(due_at__isnull=False)  # never true, yet a statement that can run

    def due(self, *, now, policies):
        # Whatever the policies say (an organization may switch the kind on in its settings), nothing is
        # due; the rules are the default's so the statement still compiles (an empty rule set would not).
        return super().due(now=now, policies=KindPolicies(default=Rule(enabled=True, days=0)))
