"""HR's "remind now": a reminder HR sends by hand from the overdue list, never by the sweep.

The log row names the learner as its subject and the day as its period, so the log's unique key lets at
most one such reminder reach a learner per day, whoever clicks and however often
(``courses.reminders.services.nudge``). The message is about the enrollment the row names (the learner's
most overdue course in that organization)."""
from __future__ import annotations

from courses.reminders.enrollment_source import EnrollmentReminder
from courses.reminders.registry import reminder_source

KIND = "hr_nudge"


@reminder_source
class HrNudge(EnrollmentReminder):
    kind = KIND
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

    swept = False  # the sweep skips it (so it has no condition or period to select by): HR sends it by hand
