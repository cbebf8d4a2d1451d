"""Reminder kinds of the assessments app, registered with the courses reminder registry.

courses never imports assessments: the registry imports every installed app's ``reminders``
module, and ``assessments/reminders.py`` imports this one.

Peer reviews owed: a reviewer with pending review assignments due within N days (default 2) or
already past due gets one reminder per day (subject = the reviewer, period = the UTC date, as the
other daily kinds) listing every review still owed, with a link to the review queue. Per-course
policies apply through the performance's enrollment (its organization and course).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from assessments.roleplays.models import ReviewAssignment
from courses.reminders.copy import format_date
from courses.reminders.registry import Message, ReminderSource, due_columns, null_id, reminder_source
from lms.models import User


def queue_url() -> str:
    return settings.SITE_URL + reverse("pages:reviews")


@reminder_source
class PeerReviewsOwed(ReminderSource):
    kind = "peer_reviews_owed"
    label = "Peer reviews owed"
    default_days = 2
    days_help = "days before a review's deadline (reviews past their deadline count too)"
    needs_active_enrollment = False  # the reviewer's own enrollments do not matter; the log has none
    copy = {
        "en": {"subject": "You have {count} role-play review(s) to write",
               "intro": "Colleagues are waiting for your feedback on their role-plays:",
               "item": "\"{scenario}\" ({course}) — due {due}",
               "late": "\"{scenario}\" ({course}) — was due {due}, please write it as soon as you can",
               "action": "Open my review queue"},
        "pt-br": {"subject": "Você tem {count} avaliação(ões) de role-play para fazer",
                  "intro": "Há colegas esperando o seu retorno sobre os role-plays deles:",
                  "item": "\"{scenario}\" ({course}) — prazo {due}",
                  "late": "\"{scenario}\" ({course}) — o prazo era {due}; faça assim que puder",
                  "action": "Abrir minha fila de avaliações"},
    }

    def due(self, *, now, policies) -> QuerySet:
        rules = policies.q(lambda days: Q(due_at__lte=now + timedelta(days=days)),
                           org_field="performance__enrollment__organization_id",
                           course_field="performance__enrollment__course_id")
        owed = (ReviewAssignment.objects.filter(reviewer_id=OuterRef("pk"), status=ReviewAssignment.Status.PENDING)
                .filter(rules))
        first_org = owed.order_by("due_at", "id").values("performance__enrollment__organization_id")[:1]
        return (User.objects.filter(is_active=True).filter(Exists(owed))
                .annotate(**due_columns(recipient=F("id"), subject=F("id"), enrollment=null_id(),
                                        organization=Subquery(first_org), period=Value(now.date().isoformat())))
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    def load(self, logs: list) -> dict[int, Any]:
        """Every pending assignment of the batch's reviewers, with scenario and course: one query."""
        rows = (ReviewAssignment.objects
                .filter(reviewer_id__in={log.recipient_id for log in logs}, status=ReviewAssignment.Status.PENDING)
                .select_related("performance__scenario__activity__course").order_by("due_at", "id"))
        by_reviewer: dict[int, list[ReviewAssignment]] = {}
        for assignment in rows:
            by_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
        return {log.pk: by_reviewer.get(log.recipient_id, []) for log in logs}

    def message(self, log, data: list[ReviewAssignment] | None, language: str) -> Message:
        words = self.copy[language]
        now = timezone.now()
        items = []
        for assignment in data or []:
            activity = assignment.performance.scenario.activity
            fields = {"scenario": activity.title, "course": activity.course.title,
                      "due": format_date(assignment.due_at, language)}
            items.append(words["late" if assignment.due_at <= now else "item"].format(**fields))
        return Message(subject=words["subject"].format(count=len(items)), paragraphs=[words["intro"]],
                       items=items, action_label=words["action"], action_url=queue_url())
