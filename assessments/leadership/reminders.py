"""The 360° feedback invitation and its reminders, a kind of the courses reminder registry.

courses never imports assessments: ``assessments/reminders.py`` imports this module, which the registry
discovers. A rater with unanswered invitations in an open cycle is due one mail a day (subject = the rater,
period = the UTC date): on the cycle's launch the sweep sends it as the invitation, later as the reminder, until
they have answered or the cycle closes. Per-organization policies apply (the kind has no course); ``days`` is
how many days before the cycle closes the daily reminders start (the launch-day invitation goes regardless).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse

from assessments.leadership.models import LeadershipCycle, LeadershipInvitation
from courses.reminders.copy import format_date
from courses.reminders.registry import Message, ReminderSource, due_columns, null_id, reminder_source
from lms.models import User

KIND = "leadership_feedback"


def feedback_url() -> str:
    return settings.SITE_URL + reverse("pages:leadership-feedback")


@reminder_source
class LeadershipFeedbackOwed(ReminderSource):
    kind = KIND
    label = "360° feedback owed"
    default_days = 7
    days_help = "days before a 360° cycle closes when daily reminders start (the invitation goes on launch)"
    per_course = False
    needs_active_enrollment = False
    copy = {
        "en": {"subject": "Your feedback on {count} leader(s) is asked for",
               "intro": "Your organization asks for your anonymous feedback on how these leaders work with people. "
                        "Your answers are only ever shown combined with others from the same group.",
               "item": "{name} — {cycle}, open until {due}",
               "self": "Yourself (your own view, shown only to you)",
               "action": "Give my feedback"},
        "pt-br": {"subject": "Pedimos o seu retorno sobre {count} líder(es)",
                  "intro": "Sua organização pede o seu retorno anônimo sobre como estes líderes lidam com as "
                           "pessoas. Suas respostas só aparecem somadas às de outras pessoas do mesmo grupo.",
                  "item": "{name} — {cycle}, aberto até {due}",
                  "self": "Você (sua própria visão, que só você vê)",
                  "action": "Dar meu retorno"},
    }

    def due(self, *, now, policies) -> QuerySet:
        today = now.date()
        rules = policies.q(lambda days: Q(subject__cycle__opens_on=today)
                           | Q(subject__cycle__closes_on__lte=today + timedelta(days=days)),
                           org_field="subject__cycle__organization_id", course_field=None)
        owed = (LeadershipInvitation.objects.filter(rater_id=OuterRef("pk"), answered=False,
                                                    subject__cycle__state=LeadershipCycle.State.OPEN,
                                                    subject__cycle__opens_on__lte=today,
                                                    subject__cycle__closes_on__gte=today)
                .filter(rules))
        first_org = owed.order_by("id").values("subject__cycle__organization_id")[:1]
        return (User.objects.filter(is_active=True).filter(Exists(owed))
                .annotate(**due_columns(recipient=F("id"), subject=F("id"), enrollment=null_id(),
                                        organization=Subquery(first_org), period=Value(today.isoformat())))
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    def load(self, logs: list) -> dict[int, Any]:
        """Every unanswered invitation of the batch's raters in open cycles: one query."""
        rows = (LeadershipInvitation.objects
                .filter(rater_id__in={log.recipient_id for log in logs}, answered=False,
                        subject__cycle__state=LeadershipCycle.State.OPEN)
                .select_related("subject__cycle", "subject__membership__user").order_by("id"))
        by_rater: dict[int, list[LeadershipInvitation]] = {}
        for invitation in rows:
            by_rater.setdefault(invitation.rater_id, []).append(invitation)
        return {log.pk: by_rater.get(log.recipient_id, []) for log in logs}

    def message(self, log, data: list[LeadershipInvitation] | None, language: str) -> Message:
        words = self.copy[language]
        items = []
        for invitation in data or []:
            subject = invitation.subject
            person = subject.membership.user
            name = words["self"] if invitation.source == "self" else (person.get_full_name() or person.email)
            items.append(words["item"].format(name=name, cycle=subject.cycle.name,
                                              due=format_date(subject.cycle.closes_on, language)))
        return Message(subject=words["subject"].format(count=len(items)), paragraphs=[words["intro"]],
                       items=items, action_label=words["action"], action_url=feedback_url())
