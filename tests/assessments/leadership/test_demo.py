"""The demo's 360° rounds: the demo supervisor sees results of two closed rounds with the change between them,
their team has an open round to answer; loading twice changes nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.leadership import selectors
from assessments.leadership.models import LeadershipCycle, LeadershipResponse
from lms.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_supervisor_sees_results_and_their_change(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    counts = (LeadershipCycle.objects.count(), LeadershipResponse.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (LeadershipCycle.objects.count(), LeadershipResponse.objects.count()) == counts == (3, counts[1])
    [latest, earlier] = selectors.results_of(actor=User.objects.get(email="supervisor@acme.example"))
    assert not latest.others.withheld and latest.previous_cycle == earlier.subject.cycle
    assert any(change is not None for change in latest.changes.values())
    assert any(gap is not None for gap in latest.gaps.values())
    learner = User.objects.get(email="learner@acme.example")
    assert [i.answered for i in selectors.invitations_of(actor=learner)] == [False]
