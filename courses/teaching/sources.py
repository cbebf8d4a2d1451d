"""This app's sources of what needs an instructor now (see `courses.teaching.needs`).

Each answers with one aggregate query. The link goes to the screen where the work is done when there is one
(a single session's attendance screen), else to the workspace's list that leads there.
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
    url = (reverse("pages:teach-attendance", args=[session_ids[0]]) if len(session_ids) == 1
           else reverse("pages:teach-workshops"))
    return [Need(key="attendance-missing", count=len(session_ids), url=url,
                 label=pgettext("teach", "Past sessions without attendance"))]


@teach_need_source("learners-overdue")
def learners_overdue(actor: Any) -> list[Need]:
    count = selectors.teaching_overdue_learners(actor=actor)
    # Each course's gradebook filters its overdue learners; the list of courses leads to them.
    return [Need(key="learners-overdue", count=count, url=reverse("pages:teach-courses"),
                 label=pgettext("teach", "Learners past their due date"))]
