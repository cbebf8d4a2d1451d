"""This app's sources of what needs an instructor now (see `courses.teaching.needs`).

Each answers with one aggregate query. Where a screen of its own exists for the work (the session's page, its
attendance screen, the gradebook), the link should go there; until then it goes to the workspace's list.
"""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import pgettext

from courses.teaching import selectors
from courses.teaching.needs import Need, teach_need_source


@teach_need_source("workshop-approvals")
def waitlist_approvals(actor: Any) -> list[Need]:
    count = selectors.teaching_pending_approvals(actor=actor)
    return [Need(key="workshop-approvals", count=count, url=reverse("pages:teach-workshops"),
                 label=pgettext("teach", "Registrations waiting for your approval"))]


@teach_need_source("attendance-missing")
def sessions_without_attendance(actor: Any) -> list[Need]:
    session_ids = selectors.teaching_sessions_without_attendance(actor=actor)
    # MERGE: one session -> reverse("pages:teach-attendance", args=[session_ids[0]]) once that page exists.
    return [Need(key="attendance-missing", count=len(session_ids), url=reverse("pages:teach-workshops"),
                 label=pgettext("teach", "Past sessions without attendance"))]


@teach_need_source("learners-overdue")
def learners_overdue(actor: Any) -> list[Need]:
    count = selectors.teaching_overdue_learners(actor=actor)
    # MERGE: link to the gradebook filtered on overdue learners once it exists ("pages:teach-gradebook").
    return [Need(key="learners-overdue", count=count, url=reverse("pages:teach-courses"),
                 label=pgettext("teach", "Learners past their due date"))]
