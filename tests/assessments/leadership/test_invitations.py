"""Launching a cycle invites the right people (team from the memberships' manager field, peers, own manager,
self) and mails each rater once through the reminder system; answering is once per invitation and stores the
answers without the rater, in one transaction."""
from __future__ import annotations

import datetime

import pytest
from django.core import mail

from assessments.leadership import services
from assessments.leadership.models import LeadershipInvitation, LeadershipResponse
from assessments.leadership.reminders import KIND
from courses.reminders import registry
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from lms.errors import ApplicationError, Conflict
from tests.assessments.leadership.factories import answer, answers, launch, world

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)  # a working day, not quiet time
CLOSES = datetime.date(2027, 3, 31)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lms.example.test"


def invited(cycle, manager):
    return {(i.rater_id, i.source) for i in LeadershipInvitation.objects.filter(subject__cycle=cycle,
                                                                              subject__membership__user=manager)}


def test_launch_invites_team_own_manager_self_and_peers_when_asked(org):
    w = world(org, team_sizes=(3, 2))
    first, second = w.managers
    cycle = launch(w, peers=True)
    expected = {(u.pk, "team") for u in w.teams[first.pk]} | {(w.director.pk, "manager"), (first.pk, "self"),
                                                             (second.pk, "peer")}
    assert invited(cycle, first) == expected
    plain = launch(w, [first], peers=False, own_manager=False, self_rating=False, name="Team only")
    assert invited(plain, first) == {(u.pk, "team") for u in w.teams[first.pk]}


def test_only_managers_with_a_team_can_be_rated(org):
    w = world(org)
    lone = w.teams[w.managers[0].pk][0]
    with pytest.raises(ApplicationError) as refused:
        launch(w, [lone])
    assert refused.value.fields == {"managers": ["Unknown or no team."]}


def test_a_response_row_has_no_rater_and_the_invitation_only_knows_it_was_answered(org):
    names = {field.name for field in LeadershipResponse._meta.get_fields()}
    assert names == {"id", "subject", "source", "answers"}  # no rater, no time
    invitation_fields = {field.name for field in LeadershipInvitation._meta.get_fields()}
    assert not invitation_fields & {"answered_at", "response", "answers"}
    w = world(org)
    cycle = launch(w)
    member = w.teams[w.managers[0].pk][0]
    answer(cycle, member, w.managers[0], 5)
    assert LeadershipInvitation.objects.get(subject__cycle=cycle, rater=member).answered
    assert list(LeadershipResponse.objects.values_list("source", flat=True)) == ["team"]


def test_one_answer_per_invitation_and_bad_answers_write_nothing(org):
    w = world(org)
    cycle = launch(w)
    manager, member = w.managers[0], w.teams[w.managers[0].pk][0]
    invitation = LeadershipInvitation.objects.get(subject__cycle=cycle, rater=member)
    with pytest.raises(ApplicationError):
        services.invitation_answer(invitation=invitation, answers={**answers(), "asks_before_advising": 9})
    with pytest.raises(ApplicationError):
        services.invitation_answer(invitation=invitation, answers={"asks_before_advising": 3})
    assert LeadershipResponse.objects.count() == 0 and not LeadershipInvitation.objects.get(pk=invitation.pk).answered
    answer(cycle, member, manager, 4)
    with pytest.raises(Conflict):
        answer(cycle, member, manager, 2)
    assert LeadershipResponse.objects.count() == 1


def test_a_closed_cycle_takes_no_answers(org):
    w = world(org)
    cycle = launch(w)
    services.cycle_close(cycle=cycle)
    invitation = LeadershipInvitation.objects.filter(subject__cycle=cycle).first()
    with pytest.raises(Conflict):
        services.invitation_answer(invitation=invitation, answers=answers())
    with pytest.raises(Conflict):
        services.cycle_close(cycle=cycle)


def test_the_kind_is_registered_with_the_reminder_registry():
    assert registry.source(KIND).__class__.__module__ == "assessments.leadership.reminders"


def test_launch_mails_every_rater_once_and_reminds_only_who_has_not_answered(org, django_capture_on_commit_callbacks,
                                                                          monkeypatch):
    enqueued = []
    monkeypatch.setattr(services, "task_enqueue", lambda name, args: enqueued.append((name, args)))
    w = world(org, team_sizes=(3,))
    manager = w.managers[0]
    with django_capture_on_commit_callbacks(execute=True):
        cycle = launch(w, opens_on=WEDNESDAY.date(), closes_on=CLOSES)
    assert enqueued == [("courses.long.reminders_sweep_organization", [org.pk])]
    now = WEDNESDAY
    reminders.reminders_sweep(now=now, organization_ids=[org.pk])  # what the enqueued task runs
    reminders.reminders_send(log_ids=list(ReminderLog.objects.filter(kind=KIND).values_list("pk", flat=True)), now=now)
    raters = {u.email for u in w.teams[manager.pk]} | {w.director.email, manager.email}
    sent = [m for m in mail.outbox if "leader" in m.subject or "líder" in m.subject]
    assert sorted(address for m in sent for address in m.to) == sorted(raters)  # the invitation, once each
    assert all("https://lms.example.test/feedback/" in m.body for m in sent)
    reminders.reminders_sweep(now=now + datetime.timedelta(hours=2), organization_ids=[org.pk])  # nothing new
    assert ReminderLog.objects.filter(kind=KIND).count() == len(raters)
    answer(cycle, w.teams[manager.pk][0], manager)
    near_close = now + datetime.timedelta(days=(CLOSES - now.date()).days - 3)  # in the last 7 days
    reminders.reminders_select(now=near_close, kinds=[KIND])
    reminded = set(ReminderLog.objects.filter(kind=KIND, period=near_close.date().isoformat())
                   .values_list("recipient__email", flat=True))
    assert reminded == raters - {w.teams[manager.pk][0].email}
    reminders.reminders_select(now=now + datetime.timedelta(days=3), kinds=[KIND])  # not yet near the close
    assert not ReminderLog.objects.filter(kind=KIND, period=(now + datetime.timedelta(days=3)).date().isoformat())
