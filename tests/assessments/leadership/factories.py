"""A small organization for 360° tests: a director, managers under them each with a team, HR and an admin."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from assessments.leadership import services
from assessments.leadership.behaviours import BEHAVIOUR_KEYS
from assessments.leadership.models import LeadershipCycle, LeadershipInvitation
from lms.models import Membership, User
from tests import factories as people


@dataclass
class World:
    organization: object
    director: User
    managers: list[User]
    teams: dict[int, list[User]] = field(default_factory=dict)   # manager user id -> team members
    hr: User | None = None
    admin: User | None = None

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user, organization=self.organization)


def world(org, *, team_sizes=(4,)) -> World:
    director = people.member(org, "supervisor", user__first_name="Dana", user__last_name="Director")
    boss = Membership.objects.get(user=director, organization=org)
    w = World(organization=org, director=director, managers=[],
              hr=people.member(org, "hr"), admin=people.member(org, "org_admin"))
    for number, size in enumerate(team_sizes):
        manager = people.member(org, "supervisor", user__first_name="Mia", user__last_name=f"Manager{number}",
                                manager=boss)
        lead = Membership.objects.get(user=manager, organization=org)
        w.managers.append(manager)
        w.teams[manager.pk] = [people.member(org, user__first_name="Tom", user__last_name=f"Team{number}-{i}",
                                             manager=lead) for i in range(size)]
    return w


def launch(w: World, managers=None, *, minimum=3, peers=False, own_manager=True, self_rating=True,
           name="Spring round", opens_on=None, closes_on=None) -> LeadershipCycle:
    today = opens_on or timezone.localdate()
    chosen = managers if managers is not None else w.managers
    return services.cycle_launch(actor=w.hr, organization=w.organization, name=name, opens_on=today,
                                 closes_on=closes_on or today + datetime.timedelta(days=14), minimum_raters=minimum,
                                 manager_ids=[w.membership(m).pk for m in chosen], peers=peers,
                                 own_manager=own_manager, self_rating=self_rating)


def answers(value=4, **overrides) -> dict[str, int]:
    return {key: overrides.get(key, value) for key in BEHAVIOUR_KEYS}


def answer(cycle, rater: User, manager: User, value=4, **overrides) -> None:
    invitation = LeadershipInvitation.objects.get(subject__cycle=cycle, subject__membership__user=manager,
                                                  rater=rater)
    services.invitation_answer(invitation=invitation, answers=answers(value, **overrides))


def close(cycle) -> None:
    services.cycle_close(cycle=cycle)
