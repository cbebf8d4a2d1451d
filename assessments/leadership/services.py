"""Writes of 360° feedback on leaders: launching and closing a cycle, answering an invitation."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from assessments.leadership import selectors
from assessments.leadership.behaviours import BEHAVIOUR_KEYS, SCALE
from assessments.leadership.errors import LeadershipErrorCode
from assessments.leadership.models import (
    LeadershipCycle,
    LeadershipInvitation,
    LeadershipResponse,
    LeadershipSubject,
    RaterSource,
)
from lms.errors import ApplicationError, Conflict
from lms.models import Membership, Organization
from lms.queue import task_enqueue

MAX_MINIMUM = 50
SWEEP_TASK = "courses.long.reminders_sweep_organization"  # sends the invitations (reminder kind leadership_feedback)


def _rater_rows(subject: LeadershipSubject, manager: Membership, *, peers: bool, own_manager: bool,
                self_rating: bool) -> list[LeadershipInvitation]:
    rows: dict[int, str] = {}
    team = Membership.objects.filter(manager=manager, is_active=True, user__is_active=True)
    rows.update({user_id: RaterSource.TEAM for user_id in team.values_list("user_id", flat=True)})
    if peers and manager.manager_id:
        siblings = (Membership.objects.filter(manager_id=manager.manager_id, is_active=True, user__is_active=True)
                    .exclude(pk=manager.pk).values_list("user_id", flat=True))
        rows.update({user_id: RaterSource.PEER for user_id in siblings if user_id not in rows})
    boss = manager.manager if manager.manager_id else None
    if own_manager and boss is not None and boss.is_active and boss.user_id not in rows:
        rows[boss.user_id] = RaterSource.MANAGER
    if self_rating:
        rows[manager.user_id] = RaterSource.SELF
    return [LeadershipInvitation(subject=subject, rater_id=user_id, source=source) for user_id, source in rows.items()]


def _check_cycle(*, name: str, opens_on: date, closes_on: date, minimum: int) -> None:
    if not name.strip():
        raise ApplicationError("Name the cycle.", code=LeadershipErrorCode.INVALID_CYCLE,
                               fields={"name": ["Required."]})
    if closes_on < opens_on:
        raise ApplicationError("A cycle cannot close before it opens.", code=LeadershipErrorCode.INVALID_CYCLE,
                               fields={"closes_on": ["On or after opens_on."]})
    if not 2 <= minimum <= MAX_MINIMUM:
        raise ApplicationError(f"The minimum of raters per source is 2 to {MAX_MINIMUM}.",
                               code=LeadershipErrorCode.INVALID_CYCLE, fields={"minimum_raters": ["2 or more."]})


@transaction.atomic
def cycle_launch(*, actor: Any, organization: Organization, name: str, opens_on: date, closes_on: date,
                 manager_ids: Iterable[int], minimum_raters: int | None = None, peers: bool = False,
                 own_manager: bool = True, self_rating: bool = True) -> LeadershipCycle:
    """Creates the cycle, its subjects (managers: memberships of ``organization`` with reports) and every
    invitation: the team from the memberships' manager field, optionally peers (who share the subject's manager),
    the subject's own manager and the subject. The invitation mail goes out through the reminder sweep."""
    minimum = settings.LEADERSHIP_MINIMUM_RATERS if minimum_raters is None else minimum_raters
    _check_cycle(name=name, opens_on=opens_on, closes_on=closes_on, minimum=minimum)
    wanted = set(manager_ids)
    managers = list(selectors.managers_of(organization=organization).filter(pk__in=wanted)
                    .select_related("manager"))
    if not wanted or len(managers) != len(wanted):
        raise ApplicationError("Pick managers of this organization who have a team.",
                               code=LeadershipErrorCode.INVALID_CYCLE, fields={"managers": ["Unknown or no team."]})
    cycle = LeadershipCycle.objects.create(organization=organization, name=name.strip(), opens_on=opens_on,
                                           closes_on=closes_on, minimum_raters=minimum,
                                           created_by=actor if getattr(actor, "pk", None) else None)
    invitations = []
    for manager in managers:
        subject = LeadershipSubject.objects.create(cycle=cycle, membership=manager)
        invitations += _rater_rows(subject, manager, peers=peers, own_manager=own_manager, self_rating=self_rating)
    LeadershipInvitation.objects.bulk_create(invitations)
    transaction.on_commit(lambda: task_enqueue(SWEEP_TASK, args=[organization.pk]))
    return cycle


@transaction.atomic
def cycle_close(*, cycle: LeadershipCycle) -> LeadershipCycle:
    """Ends answering now; the managers' results appear."""
    if cycle.state == LeadershipCycle.State.CLOSED:
        raise Conflict("This cycle is already closed.", code=LeadershipErrorCode.CYCLE_CLOSED)
    LeadershipCycle.objects.filter(pk=cycle.pk).update(state=LeadershipCycle.State.CLOSED)
    cycle.state = LeadershipCycle.State.CLOSED
    return cycle


def _checked_answers(answers: Mapping[str, Any]) -> dict[str, int]:
    unknown = sorted(set(answers) - set(BEHAVIOUR_KEYS))
    missing = [key for key in BEHAVIOUR_KEYS if key not in answers]
    wrong = [key for key in BEHAVIOUR_KEYS if key in answers
             and (isinstance(answers[key], bool) or answers[key] not in SCALE)]
    if unknown or missing or wrong:
        fields = {key: ["Not a behaviour of this instrument."] for key in unknown}
        fields.update({key: ["Required."] for key in missing})
        fields.update({key: [f"From {SCALE[0]} to {SCALE[-1]}."] for key in wrong})
        raise ApplicationError("Answer every behaviour on the scale.", code=LeadershipErrorCode.INVALID_ANSWERS,
                               fields=fields)
    return {key: int(answers[key]) for key in BEHAVIOUR_KEYS}


@transaction.atomic
def invitation_answer(*, invitation: LeadershipInvitation, answers: Mapping[str, Any]) -> None:
    """Stores the answers without the rater and marks the invitation answered, in one transaction: once only."""
    checked = _checked_answers(answers)
    locked = (LeadershipInvitation.objects.select_for_update().select_related("subject__cycle")
              .get(pk=invitation.pk))
    if locked.answered:
        raise Conflict("You have already answered for this person.", code=LeadershipErrorCode.INVITATION_ANSWERED)
    if not selectors.cycle_is_open(locked.subject.cycle):
        raise Conflict("This cycle is not open for answers.", code=LeadershipErrorCode.CYCLE_NOT_OPEN)
    LeadershipResponse.objects.create(subject_id=locked.subject_id, source=locked.source, answers=checked)
    LeadershipInvitation.objects.filter(pk=locked.pk).update(answered=True)
    invitation.answered = True
