"""Demo 360° feedback: two closed rounds in which the demo supervisor (Samuel Okafor) was rated by their team of
nine and by themselves, so they see results and the change between rounds at /feedback/results/; and an open
round in which the team's learners have an invitation waiting at /feedback/. Idempotent (by round name).
"""
from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from assessments.leadership import services
from assessments.leadership.behaviours import BEHAVIOUR_KEYS
from assessments.leadership.models import LeadershipCycle, LeadershipInvitation, RaterSource
from lms.demo import ORG_SLUG, demo_loader
from lms.models import Membership, Organization

MANAGER = "supervisor@acme.example"
ROUNDS = [  # name, days ago it opened, answers' centre (later rounds a little better), closed
    ("360° round · spring", 200, 3.3, True),
    ("360° round · autumn", 40, 3.9, True),
    ("360° round · next", 0, None, False),
]


def _answers(generator: random.Random, centre: float) -> dict[str, int]:
    return {key: min(5, max(1, round(generator.gauss(centre, 0.8)))) for key in BEHAVIOUR_KEYS}


@demo_loader(order=35)
def load_leadership(credentials: dict) -> None:
    organization = Organization.objects.filter(slug=ORG_SLUG).first()
    manager = Membership.objects.filter(organization=organization, user__email=MANAGER).first()
    hr = Membership.objects.filter(organization=organization, is_hr=True).select_related("user").first()
    if organization is None or manager is None or hr is None:
        return
    today = timezone.localdate()
    generator = random.Random(360)
    for name, days_ago, centre, closed in ROUNDS:
        if LeadershipCycle.objects.filter(organization=organization, name=name).exists():
            continue
        cycle = services.cycle_launch(actor=hr.user, organization=organization, name=name,
                                      opens_on=today - timedelta(days=days_ago),
                                      closes_on=today + timedelta(days=14), manager_ids=[manager.pk])
        if not closed:
            continue
        for invitation in LeadershipInvitation.objects.filter(subject__cycle=cycle).order_by("id"):
            if invitation.source == RaterSource.TEAM and generator.random() < 0.15:
                continue  # not everyone answers
            shift = 0.6 if invitation.source == RaterSource.SELF else 0.0  # a manager rates themselves higher
            services.invitation_answer(invitation=invitation, answers=_answers(generator, centre + shift))
        services.cycle_close(cycle=cycle)
