"""The reconciler nudges the role-play sweep only when the database shows late reviews or waiting performances."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.roleplays import reconcilers, tasks
from assessments.roleplays.models import Performance, ReviewAssignment
from lms.reconciler import registered
from tests.assessments.roleplays.factories import perform, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def nudges(monkeypatch):
    sent = []
    monkeypatch.setattr(type(tasks.roleplays_sweep._get_current_object()), "apply_async",
                        lambda task_self, *args, **kwargs: sent.append(kwargs))
    return sent


def test_registered_and_quiet_without_work(nudges):
    assert "roleplay-reviews" in registered()
    assert reconcilers.roleplay_reviews() == 0 and nudges == []


def test_late_reviews_and_waiting_performances_are_nudged_and_swept(org, nudges):
    w = world(org, learners=3)
    performances = [perform(w, i) for i in range(3)]
    Performance.objects.filter(pk=performances[0].pk).update(submitted_at=timezone.now() - timedelta(days=2))
    assert reconcilers.roleplay_reviews() == 1 and len(nudges) == 1
    Performance.objects.update(submitted_at=timezone.now() - timedelta(days=8))
    assert tasks.roleplays_sweep()["allocated"] == 3  # the task body runs the sweep
    ReviewAssignment.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    assert reconcilers.roleplay_reviews() == ReviewAssignment.objects.count()
    swept = tasks.roleplays_sweep()
    assert swept["expired"] == ReviewAssignment.objects.filter(status="expired").count() > 0
