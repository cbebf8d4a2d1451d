"""Role-play scenarios, performances, peer allocation and the sweep that keeps nobody waiting.

Rules:
- A scenario belongs to an activity of kind ``roleplay`` and scores with one rubric version. Its
  role weights name the roles that count (``peer``, ``supervisor`` — supervisor or instructor —,
  ``partner``), each 0-100, with peer or supervisor above 0. Its rubric changes only while it has
  no performance (409 ``scenario_has_performances``).
- A performance: a learner with an active or completed enrollment in the course sends a transcript,
  an audio or video file (recognised by its content, at most ``ROLEPLAY_MEDIA_MAX_BYTES``), an https
  link, or a live performance's workshop session reference (a transcript may accompany any of the
  others). One performance waits for review at a time (409 ``performance_pending``). The partner
  who played the customer, if named, must be a member of the learner's organization; they owe a
  partner review. When the scenario weighs the supervisor, the learner's manager (else a course
  instructor) owes a supervisor review.
- Peer allocation (``peer_allocate``, by an instructor or the sweep): the waiting performances of a
  scenario (one cohort's, if given) are grouped by organization (and cohort, when the scenario says
  so) and allocated by ``assessments.roleplays.allocation``: k peers each (scenario ``peer_count``, default
  3), never oneself, equal load. When a group is too small for k peers, the shortfall is recorded on
  the performance (``peer_shortfall``, ``fallback_reason = too_few_peers``) and the supervisor owes a
  review. Every reviewer is told the deadline: the round's ``due_at`` (default now + ``review_days``).
- The sweep (``roleplays_sweep``, run by the reconciler): assignments past their deadline expire;
  a performance whose peers were late falls to the supervisor (``late_peers``, recorded, with a
  fresh deadline); performances waiting unallocated longer than ``review_days`` are allocated with
  whoever is there; and any performance with nothing pending is scored. Then the escalation chain
  (``services/escalation.py``) moves on every performance whose step has ended, so each one resolves
  by its ``resolution_due_at``.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.errors import AssessmentErrorCode
from assessments.roleplays.allocation import allocate_group
from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from assessments.roleplays.errors import RoleplayConflict, RoleplayError, RoleplayErrorCode
from assessments.roleplays.media import sniff_media
from assessments.roleplays.models import AllocationRound, Performance, ReviewAssignment, ReviewerRole, Rubric, Scenario
from assessments.roleplays.services.consent import recording_consent_create
from assessments.roleplays.services.escalation import performance_deadlines_set, performances_escalate
from assessments.roleplays.services.reviews import performance_finalize
from assessments.roleplays.services.xapi import performance_submitted_record
from courses.catalog import services as course_services
from courses.catalog.models import Activity, Module
from courses.enrollments.models import Enrollment
from lms.models import Membership, User
from lms.uploads import upload_stem

TAKING = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)
WEIGHTED_ROLES = ("peer", "supervisor", "partner")
SCENARIO_FIELDS = {"persona", "situation", "opportunities", "learner_instructions", "partner_instructions",
                   "role_weights", "peer_aggregation", "peer_count", "review_days", "same_cohort", "pass_threshold",
                   "calibration_threshold"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_scenario_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - SCENARIO_FIELDS
    problems: dict[str, list[str]] = {name: ["Unknown field."] for name in sorted(unknown)}
    for name, limit in (("persona", 3000), ("situation", 5000), ("learner_instructions", 5000),
                        ("partner_instructions", 5000)):
        if name in fields and (not isinstance(fields[name], str) or len(fields[name]) > limit):
            problems[name] = [f"Text of at most {limit} characters."]
    if "opportunities" in fields:
        items = fields["opportunities"]
        keys = [item.get("key") for item in items if isinstance(item, dict)] if isinstance(items, list) else None
        if keys is None or len(keys) != len(items) or len(items) > 20 or len(set(keys)) != len(keys) or not all(
                isinstance(k, str) and k and slugify(k) == k for k in keys) or not all(
                isinstance(item.get("cue"), str) and 0 < len(item["cue"]) <= 1000 for item in items):
            problems["opportunities"] = ['Up to 20 {"key": "a-slug", "cue": "text"} with distinct keys.']
    if "role_weights" in fields:
        weights = fields["role_weights"]
        if not isinstance(weights, dict) or set(weights) - set(WEIGHTED_ROLES) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100 for v in weights.values()) \
                or not (weights.get("peer", 0) or weights.get("supervisor", 0)):
            problems["role_weights"] = ["Weights 0-100 for peer, supervisor and partner; peer or supervisor above 0."]
    if "peer_aggregation" in fields and fields["peer_aggregation"] not in Scenario.PeerAggregation.values:
        problems["peer_aggregation"] = [f"One of {', '.join(Scenario.PeerAggregation.values)}."]
    for name, low, high in (("peer_count", 1, 10), ("review_days", 1, 365), ("pass_threshold", 0, 100)):
        if name in fields and (not _is_int(fields[name]) or not low <= fields[name] <= high):
            problems[name] = [f"A whole number from {low} to {high}."]
    if "same_cohort" in fields and not isinstance(fields["same_cohort"], bool):
        problems["same_cohort"] = ["true or false."]
    if "calibration_threshold" in fields:
        value = fields["calibration_threshold"]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            problems["calibration_threshold"] = ["A number from 0 to 1."]
    if problems:
        raise RoleplayError("The scenario breaks a rule.", code=RoleplayErrorCode.INVALID_SCENARIO, fields=problems)
    return dict(fields)


def scenario_create(*, activity: Activity, rubric: Rubric, persona: str, situation: str, **fields: Any) -> Scenario:
    if activity.kind != Activity.Kind.ROLEPLAY:
        raise RoleplayConflict("Only an activity of kind 'roleplay' holds a scenario.",
                               code=RoleplayErrorCode.NOT_A_ROLEPLAY)
    values = clean_scenario_fields({"persona": persona, "situation": situation, **fields})
    if not persona.strip() or not situation.strip():
        raise RoleplayError("A scenario needs a persona and a situation.", code=RoleplayErrorCode.INVALID_SCENARIO,
                            fields={"persona": ["Required."], "situation": ["Required."]})
    values.setdefault("role_weights", {"peer": 1, "supervisor": 1, "partner": 0})
    with transaction.atomic():
        if Scenario.objects.select_for_update().filter(activity=activity).exists():
            raise RoleplayConflict("This activity already has a scenario.", code=RoleplayErrorCode.SCENARIO_EXISTS)
        return Scenario.objects.create(activity=activity, rubric=rubric, **values)


def roleplay_activity_create(*, module: Module, title: str, rubric: Rubric, persona: str, situation: str,
                             required: bool = True, weight: int = 1, estimated_minutes: int = 15,
                             **fields: Any) -> Scenario:
    """A role-play activity in ``module`` and its scenario, in one transaction."""
    with transaction.atomic():
        activity = course_services.activity_create(module=module, title=title, kind=Activity.Kind.ROLEPLAY,
                                                   required=required, weight=weight,
                                                   estimated_minutes=estimated_minutes)
        return scenario_create(activity=activity, rubric=rubric, persona=persona, situation=situation, **fields)


def scenario_update(*, scenario: Scenario, rubric: Rubric | None = None, **fields: Any) -> Scenario:
    values = clean_scenario_fields(fields)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if rubric is not None and rubric.pk != scenario.rubric_id:
            if scenario.performances.filter(is_reference=False).exists():
                raise RoleplayConflict("Learners have performed this scenario; its rubric no longer changes.",
                                       code=RoleplayErrorCode.SCENARIO_HAS_PERFORMANCES)
            scenario.rubric = rubric
        for name, value in values.items():
            setattr(scenario, name, value)
        scenario.save()
    return scenario


def supervisor_for(enrollment: Enrollment) -> User | None:
    """Who reviews when peers cannot: the learner's manager in the enrollment's organization, else the
    course's first instructor."""
    membership = (Membership.objects.filter(user_id=enrollment.user_id, organization=enrollment.organization_id,
                                            is_active=True, manager__is_active=True)
                  .select_related("manager__user").first())
    if membership is not None and membership.manager is not None:
        return membership.manager.user
    return enrollment.course.instructors.order_by("id").first()


def _ensure_supervisor_assignment(performance: Performance, *, reason: str,
                                  due_at: datetime) -> ReviewAssignment | None:
    existing = performance.assignments.filter(role=ReviewerRole.SUPERVISOR).exclude(
        status__in=[ReviewAssignment.Status.REASSIGNED, ReviewAssignment.Status.EXPIRED]).first()
    if existing is not None:
        return existing
    enrollment = performance.enrollment
    assert enrollment is not None  # only learners' performances get a supervisor
    supervisor = supervisor_for(enrollment)
    if supervisor is None or supervisor.pk == enrollment.user_id:
        return None
    if performance.assignments.filter(reviewer=supervisor).exclude(status=ReviewAssignment.Status.REASSIGNED).exists():
        return None  # the supervisor already reviews it in another role (e.g. as a peer or the partner)
    return ReviewAssignment.objects.create(performance=performance, reviewer=supervisor, role=ReviewerRole.SUPERVISOR,
                                           reason=reason, due_at=due_at)


def performance_submit(
    *, enrollment: Enrollment, scenario: Scenario, transcript: str = "", media: tuple[bytes, str] | None = None,
    link: str = "", session_reference: str = "", partner: User | None = None, cohort: str = "",
    recording_consent: int | None = None,
) -> Performance:
    """A learner's performance of ``scenario``; ``media`` is (content, file name). A recording, uploaded
    (``media``) or kept elsewhere (``link``), is refused unless ``recording_consent`` is the current version of
    the consent text (``assessments.roleplays.consent``), which is then recorded with the performance."""
    if enrollment.course_id != scenario.activity.course_id:
        raise RoleplayError("This scenario is not part of the enrollment's course.",
                            code=RoleplayErrorCode.INVALID_PERFORMANCE)
    sources = [bool(media), bool(link), bool(session_reference)]
    problems: dict[str, list[str]] = {}
    if sum(sources) > 1:
        problems["non_field_errors"] = ["Send one of a file, a link or a session reference."]
    if not any(sources) and not transcript.strip():
        problems["non_field_errors"] = ["Send a transcript, a file, a link or a live session reference."]
    if len(transcript) > 50_000:
        problems["transcript"] = ["At most 50,000 characters."]
    if link and (not link.startswith("https://") or len(link) > 500):
        problems["link"] = ["An https URL of at most 500 characters."]
    if len(session_reference) > 100 or len(cohort) > 100:
        problems["session_reference"] = ["At most 100 characters."]
    if problems:
        raise RoleplayError(next(iter(problems.values()))[0], code=RoleplayErrorCode.INVALID_PERFORMANCE,
                            fields=problems)
    if (media or link) and recording_consent != CONSENT_VERSION:
        raise RoleplayError("Agree to the current recording consent before sending a recording or a link to one.",
                            code=RoleplayErrorCode.RECORDING_CONSENT_REQUIRED,
                            fields={"recording_consent": [f"Send the current version, {CONSENT_VERSION}."]})
    media_type = sniff_media(media[0], max_bytes=settings.ROLEPLAY_MEDIA_MAX_BYTES) if media else ""
    if partner is not None and (partner.pk == enrollment.user_id or not Membership.objects.filter(
            user=partner, organization=enrollment.organization_id, is_active=True).exists()):
        raise RoleplayError("The partner must be another member of your organization.",
                            code=RoleplayErrorCode.INVALID_PERFORMANCE,
                            fields={"partner": ["Not a colleague in this organization."]})
    kind = (Performance.Kind.MEDIA if media else Performance.Kind.LINK if link else
            Performance.Kind.LIVE if session_reference else Performance.Kind.TRANSCRIPT)
    now = timezone.now()
    due_at = now + timedelta(days=scenario.review_days)
    with transaction.atomic():
        status = Enrollment.objects.select_for_update().filter(pk=enrollment.pk).values_list("status", flat=True)
        if next(iter(status), None) not in TAKING:
            raise RoleplayConflict("Enroll in the course to perform this scenario.",
                                   code=AssessmentErrorCode.ENROLLMENT_REQUIRED)
        if Performance.objects.filter(scenario=scenario, enrollment=enrollment, status__in=[
                Performance.Status.SUBMITTED, Performance.Status.IN_REVIEW]).exists():
            raise RoleplayConflict("Your previous performance is still being reviewed.",
                                   code=RoleplayErrorCode.PERFORMANCE_PENDING)
        performance = Performance(scenario=scenario, enrollment=enrollment, kind=kind, transcript=transcript,
                                  link=link, session_reference=session_reference, partner=partner,
                                  cohort=cohort.strip(), submitted_at=now, media_type=media_type)
        performance_deadlines_set(performance=performance)
        if media:
            performance.media_size = len(media[0])
            extension = media_type.split("/")[1].replace("mpeg", "mp3").replace("quicktime", "mov")
            performance.media.save(f"{upload_stem(media[1], default='recording', max_length=40)}.{extension}",
                                   ContentFile(media[0]), save=False)
        performance.save()
        if media or link:
            recording_consent_create(performance=performance, user=enrollment.user, version=CONSENT_VERSION,
                                     given_at=now)
        if partner is not None:
            ReviewAssignment.objects.create(performance=performance, reviewer=partner, role=ReviewerRole.PARTNER,
                                            reason=ReviewAssignment.Reason.ROLE, due_at=due_at)
        if scenario.weight_of("supervisor") > 0:
            _ensure_supervisor_assignment(performance, reason=ReviewAssignment.Reason.ROLE, due_at=due_at)
        performance_submitted_record(performance=performance)
    return performance


def peer_allocate(*, scenario: Scenario, cohort: str = "", due_at: datetime | None = None, seed: int | None = None,
                  actor: User | None = None) -> AllocationRound:
    """Allocate peers to the scenario's waiting performances (see the module docstring)."""
    now = timezone.now()
    due_at = due_at or now + timedelta(days=scenario.review_days)
    if due_at <= now:
        raise RoleplayError("The deadline must be in the future.", code=RoleplayErrorCode.INVALID_SCENARIO,
                            fields={"due_at": ["In the past."]})
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update(of=("self",)).select_related("activity").get(pk=scenario.pk)
        waiting = Performance.objects.filter(scenario=scenario, is_reference=False, status=Performance.Status.SUBMITTED)
        if cohort:
            waiting = waiting.filter(cohort=cohort)
        to_allocate = list(waiting.select_related("enrollment__course").order_by("submitted_at", "id"))
        groups: dict[tuple[int, str], dict[int, Performance]] = defaultdict(dict)
        for performance in to_allocate:
            enrollment = performance.enrollment
            assert enrollment is not None  # is_reference=False: a learner's performance
            key = (enrollment.organization_id or 0, performance.cohort if scenario.same_cohort else "")
            groups[key][enrollment.user_id] = performance  # one per author: the latest
        round_ = AllocationRound.objects.create(scenario=scenario, cohort=cohort, seed=seed, due_at=due_at,
                                                created_by=actor, created_at=now)
        assignments, fallbacks = [], 0
        for key in sorted(groups):
            by_author = groups[key]
            allocation = allocate_group([(p.pk, author) for author, p in by_author.items()],
                                        k=scenario.peer_count, rng=rng)
            for performance in by_author.values():
                for reviewer_id in allocation.reviewers[performance.pk]:
                    assignments.append(ReviewAssignment(performance=performance, reviewer_id=reviewer_id,
                                                        role=ReviewerRole.PEER, round=round_, due_at=due_at,
                                                        created_at=now))
                performance.status = Performance.Status.IN_REVIEW
                performance.peer_shortfall = allocation.shortfall[performance.pk]
                update = ["status", "peer_shortfall"]
                if performance.peer_shortfall:
                    fallbacks += 1
                    performance.fallback_reason = ReviewAssignment.Reason.TOO_FEW_PEERS
                    performance.fallback_at = now
                    update += ["fallback_reason", "fallback_at"]
                    _ensure_supervisor_assignment(performance, reason=ReviewAssignment.Reason.TOO_FEW_PEERS,
                                                  due_at=due_at)
                performance.save(update_fields=update)
        ReviewAssignment.objects.bulk_create(assignments)
        round_.summary = {"performances": sum(len(g) for g in groups.values()), "groups": len(groups),
                          "peer_assignments": len(assignments), "fallbacks": fallbacks}
        round_.save(update_fields=["summary"])
    return round_


def assignment_reassign(*, assignment: ReviewAssignment, reviewer: User) -> ReviewAssignment:
    """Give a pending review to someone else (same role, same deadline, or a week from now if it has passed)."""
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update(of=("self",)).select_related(
            "performance__enrollment").get(pk=assignment.pk)
        if assignment.status not in (ReviewAssignment.Status.PENDING, ReviewAssignment.Status.EXPIRED):
            raise RoleplayConflict("Only a pending or late review can be reassigned.",
                                   code=RoleplayErrorCode.ASSIGNMENT_CLOSED)
        performance = assignment.performance
        enrollment = performance.enrollment
        assert enrollment is not None  # reviews are assigned on learners' performances only
        if reviewer.pk == enrollment.user_id:
            raise RoleplayError("Nobody reviews their own performance.", code=RoleplayErrorCode.INVALID_REVIEW,
                                fields={"reviewer": ["The performer."]})
        if not Membership.objects.filter(user=reviewer, organization=enrollment.organization_id,
                                         is_active=True).exists():
            raise RoleplayError("The reviewer must belong to the performer's organization.",
                                code=RoleplayErrorCode.INVALID_REVIEW,
                                fields={"reviewer": ["Another organization."]})
        if performance.assignments.filter(reviewer=reviewer).exclude(
                status=ReviewAssignment.Status.REASSIGNED).exists():
            raise RoleplayConflict("This person already reviews this performance.",
                                   code=RoleplayErrorCode.ALREADY_ASSIGNED)
        now = timezone.now()
        assignment.status = ReviewAssignment.Status.REASSIGNED
        assignment.closed_at = now
        assignment.save(update_fields=["status", "closed_at"])
        return ReviewAssignment.objects.create(
            performance=performance, reviewer=reviewer, role=assignment.role, round=assignment.round,
            reason=ReviewAssignment.Reason.REASSIGNED,
            due_at=assignment.due_at if assignment.due_at > now else now + timedelta(days=7))


def roleplays_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Expire late reviews with the supervisor fallback, allocate stale waiting performances, score what is
    complete. Idempotent: a second run finds nothing to do."""
    now = now or timezone.now()
    counts = {"expired": 0, "fallbacks": 0, "allocated": 0, "scored": 0}
    late = list(ReviewAssignment.objects.filter(status=ReviewAssignment.Status.PENDING, due_at__lt=now)
                .values_list("id", "performance_id", "role"))
    touched: set[int] = set()
    for assignment_id, performance_id, role in late:
        with transaction.atomic():
            updated = ReviewAssignment.objects.filter(pk=assignment_id, status=ReviewAssignment.Status.PENDING).update(
                status=ReviewAssignment.Status.EXPIRED, closed_at=now)
            if not updated:
                continue
            counts["expired"] += 1
            touched.add(performance_id)
            if role != ReviewerRole.PEER:
                continue
            performance = Performance.objects.select_for_update(of=("self",)).select_related(
                "scenario", "enrollment__course").get(pk=performance_id)
            owed = performance.assignments.filter(role=ReviewerRole.SUPERVISOR).exclude(
                status__in=[ReviewAssignment.Status.REASSIGNED, ReviewAssignment.Status.EXPIRED]).exists()
            created = _ensure_supervisor_assignment(performance, reason=ReviewAssignment.Reason.LATE_PEERS,
                                                    due_at=now + timedelta(days=performance.scenario.review_days))
            if created is not None and not owed:
                counts["fallbacks"] += 1
            if not performance.fallback_reason:
                performance.fallback_reason = ReviewAssignment.Reason.LATE_PEERS
                performance.fallback_at = now
                performance.save(update_fields=["fallback_reason", "fallback_at"])
    stale = (Performance.objects.filter(is_reference=False, status=Performance.Status.SUBMITTED)
             .select_related("scenario").order_by("scenario_id"))
    for scenario_id in {p.scenario_id for p in stale if p.submitted_at + timedelta(days=p.scenario.review_days) < now}:
        counts["allocated"] += peer_allocate(scenario=Scenario.objects.get(pk=scenario_id)).summary["performances"]
    for performance in Performance.objects.filter(pk__in=touched, status=Performance.Status.IN_REVIEW):
        if performance_finalize(performance=performance) is not None:
            counts["scored"] += 1
    counts.update(performances_escalate(now=now))
    return counts
