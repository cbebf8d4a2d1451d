"""What is due for reminders: sessions starting within 24 h and 1 h (configurable)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.workshops import selectors
from courses.workshops.services import sessions as services
from tests.courses.workshops.conftest import make_session

pytestmark = pytest.mark.django_db


def test_sessions_due_within_each_lead(workshop):
    now = timezone.now()
    in_30_min = make_session(workshop, start=now + timedelta(minutes=30))
    in_5_hours = make_session(workshop, start=now + timedelta(hours=5))
    in_2_days = make_session(workshop, start=now + timedelta(days=2))
    make_session(workshop, start=now - timedelta(minutes=5))  # started: never due
    cancelled = make_session(workshop, start=now + timedelta(minutes=40))
    services.session_cancel(session=cancelled)
    due = selectors.sessions_due_for_reminders(now=now)
    assert [list(due[lead]) for lead in (timedelta(hours=24), timedelta(hours=1))] == [
        [in_30_min, in_5_hours], [in_30_min]]
    assert in_2_days not in selectors.sessions_starting_within(lead=timedelta(hours=24), now=now)


def test_leads_come_from_settings(settings, workshop):
    settings.WORKSHOP_REMINDER_HOURS = [48.0, 0.5]
    now = timezone.now()
    session = make_session(workshop, start=now + timedelta(hours=36))
    due = selectors.sessions_due_for_reminders(now=now)
    assert set(due) == {timedelta(hours=48), timedelta(minutes=30)}
    assert list(due[timedelta(hours=48)]) == [session] and list(due[timedelta(minutes=30)]) == []
