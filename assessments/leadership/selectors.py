"""Reads of 360° feedback on leaders, scoped to the caller.

Who sees what:
- a rater: their own invitations (whom they rate, as which source, whether answered) and never an answer
  once given — not even their own;
- a manager: their own results, once the cycle has closed, with each source under the minimum withheld
  (results.py); their own self-rating beside the others' mean;
- HR, organization admins (and the organization's HR API key, reading): the cycles of the organizations whose
  reports they read, participation counts, and organization-level figures under the same disclosure rule.
Nobody, superusers included, reads one rater's answers: no selector returns a response row.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from assessments.leadership import results
from assessments.leadership.models import (
    OTHER_SOURCES,
    LeadershipCycle,
    LeadershipInvitation,
    LeadershipResponse,
    LeadershipSubject,
    RaterSource,
)
from courses.hr_reports.queries import report_organization_ids
from lms.errors import NotFound
from lms.models import Membership, Organization

SOURCE_ORDER = [source.value for source in OTHER_SOURCES]


def cycle_is_closed(cycle: LeadershipCycle, *, today=None) -> bool:
    today = today or timezone.localdate()
    return cycle.state == LeadershipCycle.State.CLOSED or cycle.closes_on < today


def cycle_is_open(cycle: LeadershipCycle, *, today=None) -> bool:
    today = today or timezone.localdate()
    return cycle.state == LeadershipCycle.State.OPEN and cycle.opens_on <= today <= cycle.closes_on


def _open_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}state": LeadershipCycle.State.OPEN, f"{prefix}opens_on__lte": today,
                f"{prefix}closes_on__gte": today})


def _closed_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": LeadershipCycle.State.CLOSED}) | Q(**{f"{prefix}closes_on__lt":
                                                                         timezone.localdate()})


# --- HR ---------------------------------------------------------------------------------------------------

def cycles_visible_to(*, actor: Any, organization: Organization | None = None) -> QuerySet[LeadershipCycle]:
    """The cycles of the organizations whose reports the actor reads (of ``organization`` only, when given)."""
    allowed = report_organization_ids(actor)
    cycles = LeadershipCycle.objects.select_related("organization").annotate(
        subject_count=Count("subjects", distinct=True),
        closed=ExpressionWrapper(_closed_q(), output_field=BooleanField()))
    if organization is not None:
        cycles = cycles.filter(organization=organization)
    return cycles if allowed is None else cycles.filter(organization_id__in=allowed)


def access_cycle_read(*, actor: Any, cycle_id: int) -> LeadershipCycle:
    cycle = cycles_visible_to(actor=actor).filter(pk=cycle_id).first()
    if cycle is None:
        raise NotFound("No such 360° feedback cycle.")
    return cycle


def cycle_organizations(*, actor: Any) -> QuerySet[Organization]:
    allowed = report_organization_ids(actor)
    return Organization.objects.all() if allowed is None else Organization.objects.filter(pk__in=allowed)


def access_cycle_organization(*, actor: Any, slug: str) -> Organization:
    """An organization whose 360° cycles the actor runs (HR, organization admins, superusers), by slug, or their
    only one when no slug is given; else 404."""
    organizations = cycle_organizations(actor=actor)
    if slug:
        organization = organizations.filter(slug=slug).first()
    else:
        only = list(organizations[:2])
        organization = only[0] if len(only) == 1 else None
    if organization is None or getattr(actor, "is_api_key", False):
        raise NotFound("No such organization.")
    return organization


def managers_of(*, organization: Organization) -> QuerySet[Membership]:
    """Active memberships with at least one active report: who can be rated."""
    return (Membership.objects.filter(organization=organization, is_active=True, user__is_active=True,
                                      reports__is_active=True)
            .distinct().select_related("user").order_by("user__first_name", "user__last_name", "user__email"))


def cycle_participation(*, cycle: LeadershipCycle) -> list[dict]:
    """Invited and answered per source (self included): counts only, nobody named."""
    rows = (LeadershipInvitation.objects.filter(subject__cycle=cycle).values("source")
            .annotate(invited=Count("id"), answered=Count("id", filter=Q(answered=True))))
    by_source = {row["source"]: row for row in rows}
    return [{"source": source, "invited": by_source.get(source, {}).get("invited", 0),
             "answered": by_source.get(source, {}).get("answered", 0)}
            for source in [RaterSource.SELF.value, *SOURCE_ORDER]]


def cycle_organization_results(*, cycle: LeadershipCycle) -> list[results.GroupResult]:
    """The whole cycle's others' answers by source under the disclosure rule (no subject, no rater); nothing
    while the cycle is open, so nobody can difference the figures before and after one person answers."""
    if not cycle_is_closed(cycle):
        return []
    invited = set(LeadershipInvitation.objects.filter(subject__cycle=cycle).exclude(source=RaterSource.SELF)
                  .values_list("source", flat=True).distinct())
    by_source: dict[str, list] = defaultdict(list)
    for source, answers in (LeadershipResponse.objects.filter(subject__cycle=cycle)
                            .exclude(source=RaterSource.SELF).values_list("source", "answers")):
        by_source[source].append(answers)
    return results.subject_result(by_source, [s for s in SOURCE_ORDER if s in invited],
                                  minimum=cycle.minimum_raters)


# --- raters -----------------------------------------------------------------------------------------------

def invitations_of(*, actor: Any) -> QuerySet[LeadershipInvitation]:
    """The actor's invitations in open cycles, answered or not."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_api_key", False):
        return LeadershipInvitation.objects.none()
    return (LeadershipInvitation.objects.filter(rater=actor).filter(_open_q("subject__cycle__"))
            .select_related("subject__cycle", "subject__membership__user").order_by("answered", "id"))


def access_invitation_own(*, actor: Any, invitation_id: int) -> LeadershipInvitation:
    invitation = invitations_of(actor=actor).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


# --- managers ---------------------------------------------------------------------------------------------

@dataclass
class SubjectReport:
    subject: LeadershipSubject
    groups: list[results.GroupResult]
    self_answers: dict | None
    gaps: dict[str, float | None]
    previous_cycle: LeadershipCycle | None
    changes: dict[str, float | None]

    @property
    def others(self) -> results.GroupResult:
        return self.groups[-1]


def _reports(subjects: list[LeadershipSubject]) -> dict[int, tuple]:
    ids = [subject.pk for subject in subjects]
    invited: dict[int, set] = defaultdict(set)
    for subject_id, source in (LeadershipInvitation.objects.filter(subject_id__in=ids)
                               .values_list("subject_id", "source").distinct()):
        invited[subject_id].add(source)
    answers: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for subject_id, source, given in (LeadershipResponse.objects.filter(subject_id__in=ids)
                                      .values_list("subject_id", "source", "answers")):
        answers[subject_id][source].append(given)
    built = {}
    for subject in subjects:
        others = {source: rows for source, rows in answers[subject.pk].items() if source != RaterSource.SELF}
        groups = results.subject_result(others, [s for s in SOURCE_ORDER if s in invited[subject.pk]],
                                        minimum=subject.cycle.minimum_raters)
        own = answers[subject.pk].get(RaterSource.SELF.value)
        built[subject.pk] = (groups, own[0] if own else None)
    return built


def results_of(*, actor: Any) -> list[SubjectReport]:
    """The actor's own results in closed cycles, newest first, each with the change since the one before."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_api_key", False):
        return []
    subjects = list(LeadershipSubject.objects.filter(membership__user=actor).filter(_closed_q("cycle__"))
                    .select_related("cycle__organization").order_by("-cycle__opens_on", "-cycle_id"))
    built = _reports(subjects)
    reports = []
    for index, subject in enumerate(subjects):
        groups, own = built[subject.pk]
        earlier = next((other for other in subjects[index + 1:]
                        if other.membership_id == subject.membership_id), None)
        previous_others = built[earlier.pk][0][-1] if earlier else None
        reports.append(SubjectReport(
            subject=subject, groups=groups, self_answers=own, gaps=results.self_gaps(own, groups[-1]),
            previous_cycle=earlier.cycle if earlier else None, changes=results.changes(groups[-1], previous_others)))
    return reports


def is_rated(*, actor: Any) -> bool:
    """Whether the actor is a subject of any cycle (their results page has something to say)."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_api_key", False):
        return False
    return LeadershipSubject.objects.filter(membership__user=actor).exists()


def results_pending_of(*, actor: Any) -> QuerySet[LeadershipSubject]:
    """The actor's cycles still open: results come when they close."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_api_key", False):
        return LeadershipSubject.objects.none()
    return (LeadershipSubject.objects.filter(membership__user=actor).exclude(_closed_q("cycle__"))
            .select_related("cycle"))
