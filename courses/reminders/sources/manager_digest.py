"""Weekly manager digest: a manager whose team has someone behind schedule (an active enrollment past
its due date, or idle for N days, default 7) gets one list per ISO week. Policies per organization."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.reminders.copy import format_date
from courses.reminders.registry import Message, ReminderSource, due_columns, null_id, reminder_source
from lms.models import Membership


def week_of(now) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def behind_q(now, days: int, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}due_at__lte": now})
            | Q(**{f"{prefix}idle_since__lte": now - timedelta(days=days)}))


@reminder_source
class ManagerDigest(ReminderSource):
    kind = "manager_digest"
    label = "Weekly digest for managers"
    default_days = 7
    days_help = "days without activity that count as behind"
    per_course = False
    needs_active_enrollment = False
    copy = {
        "en": {"subject": "Your team this week: {count} behind schedule",
               "intro": "These members of your team have training past due or untouched for a while:",
               "overdue": "{name} — \"{course}\", {progress}% done, due {due}",
               "idle": "{name} — \"{course}\", {progress}% done, no activity since {since}"},
        "pt-br": {"subject": "Sua equipe nesta semana: {count} com atraso",
                  "intro": "Estas pessoas da sua equipe têm treinamentos atrasados ou parados há algum tempo:",
                  "overdue": "{name} — \"{course}\", {progress}% concluído, prazo {due}",
                  "idle": "{name} — \"{course}\", {progress}% concluído, sem atividade desde {since}"},
    }

    def due(self, *, now, policies) -> QuerySet:
        def has_team_behind(days: int) -> Q:
            behind = (Enrollment.objects.annotate(idle_since=Coalesce("last_activity_at", "enrolled_at"))
                      .filter(status=Enrollment.Status.ACTIVE, organization_id=OuterRef("organization_id"),
                              user__memberships__manager_id=OuterRef("pk"),
                              user__memberships__organization_id=OuterRef("organization_id"),
                              user__memberships__is_active=True)
                      .filter(behind_q(now, days)))
            return Q(Exists(behind))

        rules = policies.q(has_team_behind, org_field="organization_id", course_field=None)
        return (Membership.objects.filter(is_active=True).filter(rules)
                .annotate(**due_columns(recipient=F("user_id"), subject=F("id"), enrollment=null_id(),
                                        organization=F("organization_id"), period=Value(week_of(now))))
                .values("r_recipient", "r_subject", "r_enrollment", "r_organization", "r_period"))

    def load(self, logs: list) -> dict[int, Any]:
        """Every active enrollment of the managers' reports in the batch: one query."""
        manager_ids = {log.subject_id for log in logs}
        rows = (Enrollment.objects.annotate(idle_since=Coalesce("last_activity_at", "enrolled_at"))
                .filter(status=Enrollment.Status.ACTIVE, user__memberships__manager_id__in=manager_ids,
                        user__memberships__organization_id=F("organization_id"), user__memberships__is_active=True)
                .annotate(manager_membership=F("user__memberships__manager_id"))
                .select_related("user", "course").order_by("due_at", "id"))
        by_manager: dict[int, list] = {}
        for enrollment in rows:
            by_manager.setdefault(enrollment.manager_membership, []).append(enrollment)
        return {log.pk: by_manager.get(log.subject_id, []) for log in logs}

    def message(self, log, data: list, language: str) -> Message:
        words = self.copy[language]
        now = timezone.now()
        items = []
        for enrollment in data:
            fields = {"name": enrollment.user.display_name, "course": enrollment.course.title,
                      "progress": enrollment.progress_percent}
            if enrollment.due_at and enrollment.due_at <= now:
                items.append(words["overdue"].format(due=format_date(enrollment.due_at, language), **fields))
            elif enrollment.idle_since <= now - timedelta(days=self.default_days):
                items.append(words["idle"].format(since=format_date(enrollment.idle_since, language), **fields))
        return Message(subject=words["subject"].format(count=len(items)), paragraphs=[words["intro"]],
                       items=items)  # no learner page shows a team: the list is the message
