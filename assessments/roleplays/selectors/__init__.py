"""Reads for role-plays, scoped to the caller.

Who sees what:
- a scenario (with its rubric): learners with an active or completed enrollment in its course, and
  the course's managers (its instructors and its organization's admins);
- a performance: its performer; the peers allocated to it and its partner (the performance, and
  of its reviews only their own); the performer's supervisor (a manager of their membership in the
  enrollment's organization) and the course's managers (everything, with names). The performer
  sees every review of their performance but peers stay anonymous ("Peer 1", "Peer 2", ...);
- HR sees no individual performance or review: only the aggregates of the empathy-growth report.
Superusers see all. Anything else is absent: 404.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from assessments.roleplays import scoring
from assessments.roleplays.models import (
    CalibrationExample,
    Criterion,
    Level,
    Performance,
    Review,
    ReviewAssignment,
    ReviewerCalibration,
    ReviewerRole,
    Rubric,
    Scenario,
)
from assessments.roleplays.selectors.consent import recording_consent_summary
from courses.catalog import selectors as course_selectors
from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from lms.errors import Forbidden, NotFound
from lms.models import Membership, User
from lms.scoping import is_unrestricted, person_id

READABLE = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)



def _managed_courses(actor: Any) -> QuerySet:
    return Course.objects.filter(course_selectors.course_manage_q(actor)).values("pk")


def rubric_prefetch() -> Prefetch:
    levels = Level.objects.order_by("points", "id")
    return Prefetch("rubric__criteria", queryset=Criterion.objects.order_by("position", "id").prefetch_related(
        Prefetch("levels", queryset=levels)))


def scenarios_visible_to(*, actor: Any) -> QuerySet[Scenario]:
    base = Scenario.objects.select_related("activity__course", "rubric")
    if is_unrestricted(actor):
        return base
    user_id = person_id(actor)
    if user_id is None:
        return base.none()
    enrolled = Enrollment.objects.filter(user_id=user_id, status__in=READABLE).values("course_id")
    return base.filter(Q(activity__course_id__in=enrolled) | Q(activity__course_id__in=_managed_courses(actor)))


def scenario_get(*, actor: Any, scenario_id: int) -> Scenario:
    scenario = scenarios_visible_to(actor=actor).prefetch_related(rubric_prefetch()).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404
    return scenario


def scenario_for_activity(*, actor: Any, activity_id: int) -> Scenario:
    """The scenario of a role-play activity, with its rubric, for whoever may see it (``scenario_get``'s rule)."""
    scenario = scenarios_visible_to(actor=actor).prefetch_related(rubric_prefetch()).filter(
        activity_id=activity_id).first()
    if scenario is None:
        raise Http404
    return scenario


def rubric_criteria(*, rubric_id: int) -> list[Criterion]:
    """A rubric's criteria in order, each with its levels (lowest first): two queries."""
    levels = Level.objects.order_by("points", "id")
    return list(Criterion.objects.filter(rubric_id=rubric_id).order_by("position", "id")
                .prefetch_related(Prefetch("levels", queryset=levels)))


def own_performances(*, actor: Any, scenario: Scenario | None = None) -> QuerySet[Performance]:
    """The caller's own performances (of one scenario, if given), newest first."""
    performances = Performance.objects.filter(is_reference=False, enrollment__user=person_id(actor)).select_related(
        "scenario__activity__course")
    if scenario is not None:
        performances = performances.filter(scenario=scenario)
    return performances.order_by("-submitted_at", "-id")


def own_review(*, actor: Any, performance: Performance, role: str | None = None) -> Review | None:
    """The caller's review of a performance (in ``role``, if given), with its scores."""
    reviews = Review.objects.filter(performance=performance, reviewer_id=person_id(actor)).prefetch_related("scores")
    if role is not None:
        reviews = reviews.filter(role=role)
    return reviews.order_by("id").first()


def reviews_given(*, actor: Any) -> QuerySet[Review]:
    """The reviews the caller wrote of learners' performances (calibration and expert scores left out), newest
    first."""
    return (Review.objects.filter(reviewer_id=person_id(actor), performance__is_reference=False)
            .select_related("performance__scenario__activity__course", "assignment")
            .order_by("-created_at", "-id"))


def scenario_can_manage(*, actor: Any, scenario: Scenario) -> bool:
    return course_selectors.course_can_manage(actor=actor, course=scenario.activity.course)


def performance_scope_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    user_id = person_id(actor)
    if user_id is None:
        return Q(pk__in=[])
    allocated = ReviewAssignment.objects.filter(reviewer_id=user_id).exclude(
        status=ReviewAssignment.Status.REASSIGNED).values("performance_id")
    team = Membership.objects.filter(manager__user_id=user_id, manager__is_active=True, is_active=True,
                                     organization_id=OuterRef("enrollment__organization_id"),
                                     user_id=OuterRef("enrollment__user_id"))
    return (Q(enrollment__user_id=user_id) | Q(pk__in=allocated) | Q(partner_id=user_id)
            | Q(enrollment__course_id__in=_managed_courses(actor)) | Q(Exists(team)))


def performances_visible_to(*, actor: Any) -> QuerySet[Performance]:
    return (Performance.objects.filter(is_reference=False).filter(performance_scope_q(actor))
            .select_related("scenario__activity__course", "enrollment__user"))


def performance_get(*, actor: Any, performance_id: int) -> Performance:
    performance = performances_visible_to(actor=actor).filter(pk=performance_id).first()
    if performance is None:
        raise Http404
    return performance


def can_see_everything(*, actor: Any, performance: Performance) -> bool:
    """Course managers and the performer's supervisor see every review with names."""
    if course_selectors.course_can_manage(actor=actor, course=performance.scenario.activity.course):
        return True
    user_id = person_id(actor)
    enrollment = performance.enrollment
    assert enrollment is not None  # a learner's performance: performances_visible_to leaves reference ones out
    return user_id is not None and Membership.objects.filter(
        manager__user_id=user_id, manager__is_active=True, is_active=True,
        organization=enrollment.organization_id, user_id=enrollment.user_id).exists()


def _person(user) -> dict[str, Any] | None:
    """Who wrote a review; None once they asked to be erased (the review stays, anonymous)."""
    return None if user is None else {"id": user.pk, "name": user.display_name}


def performance_detail(*, actor: Any, performance: Performance) -> dict[str, Any]:
    """The performance and the reviews the caller may see, with the score breakdown for the performer and staff."""
    user_id = person_id(actor)
    everything = can_see_everything(actor=actor, performance=performance)
    enrollment = performance.enrollment
    assert enrollment is not None  # a learner's performance: performances_visible_to leaves reference ones out
    own = enrollment.user_id == user_id
    reviews = list(performance.reviews.select_related("reviewer", "assignment").prefetch_related("scores")
                   .order_by("created_at", "id"))
    rows, peer_number = [], 0
    for review in reviews:
        if review.role == ReviewerRole.PEER:
            peer_number += 1
        if not (everything or own or review.reviewer_id == user_id):
            continue
        hidden = review.role == ReviewerRole.PEER and not everything and review.reviewer_id != user_id
        rows.append({
            "id": review.pk, "role": review.role,
            "reviewer": None if hidden else _person(review.reviewer),
            "label": f"Peer {peer_number}" if review.role == ReviewerRole.PEER else review.get_role_display(),
            "scores": [{"criterion": s.criterion_id, "points": s.points} for s in review.scores.all()],
            "comments": review.comments, "cared_for": review.cared_for, "opportunity_codes": review.opportunity_codes,
            "created_at": review.created_at, "updated_at": review.updated_at,
            "editable_until": review.assignment.due_at if review.assignment else None,
        })
    breakdown = None
    if everything or own:
        result = performance_score(performance)
        titles = dict(Criterion.objects.filter(rubric_id=performance.scenario.rubric_id).values_list("pk", "title"))
        breakdown = {
            "criteria": [{"criterion": cid, "title": titles.get(cid, ""), **values}
                         for cid, values in result.criteria.items()],
            "roles": result.roles, "role_weights": result.weights,
            "fallback_to_supervisor": result.fallback_to_supervisor,
        }
    return {"performance": performance, "reviews": rows, "breakdown": breakdown,
            "performer": _person(enrollment.user) if (everything or own) else None,
            "standing": performance_standing(performance, reviews),
            "recording_consent": recording_consent_summary(performance)}


def review_get(*, actor: Any, review_id: int) -> Review:
    review = Review.objects.filter(pk=review_id, reviewer_id=person_id(actor)).first()
    if review is None:
        raise Http404
    return review


def review_queue(*, actor: Any) -> dict[str, Any]:
    """What the caller owes, by when: pending assignments, and before them the calibration examples of the
    scenarios they review as a peer (constant queries)."""
    user_id = person_id(actor)
    assignments = list(ReviewAssignment.objects.filter(reviewer_id=user_id, status=ReviewAssignment.Status.PENDING)
                       .select_related("performance__scenario__activity__course").order_by("due_at", "id"))
    peer_scenarios = ReviewAssignment.objects.filter(reviewer_id=user_id, status=ReviewAssignment.Status.PENDING,
                                                     role=ReviewerRole.PEER).values("performance__scenario_id")
    scored = Review.objects.filter(reviewer_id=user_id, performance_id=OuterRef("performance_id"))
    examples = list(CalibrationExample.objects.filter(scenario_id__in=peer_scenarios)
                    .annotate(done=Exists(scored)).filter(done=False)
                    .select_related("scenario__activity").order_by("scenario_id", "id"))
    return {"calibration": examples, "assignments": assignments}


def calibration_example_get(*, actor: Any, example_id: int) -> CalibrationExample:
    """A calibration example of a scenario the caller may see (its transcript, never the expert scores)."""
    example = CalibrationExample.objects.select_related("scenario__activity__course", "performance").filter(
        pk=example_id, scenario__in=scenarios_visible_to(actor=actor).values("pk")).first()
    if example is None:
        raise Http404
    return example


def calibration_examples_for(*, actor: Any, scenario: Scenario, can_manage: bool) -> list[dict[str, Any]]:
    examples = CalibrationExample.objects.filter(scenario=scenario).select_related("performance").order_by("id")
    expert = Prefetch("performance__reviews", queryset=Review.objects.filter(role=ReviewerRole.EXPERT)
                      .prefetch_related("scores"), to_attr="expert_reviews")
    mine = set(Review.objects.filter(reviewer_id=person_id(actor), performance__calibration__scenario=scenario)
               .values_list("performance_id", flat=True))
    rows = []
    for example in examples.prefetch_related(expert):
        scores = None
        if can_manage:
            # expert_reviews is set by the Prefetch's to_attr, which the stubs cannot know of
            scores = [{"criterion": s.criterion_id, "points": s.points}
                      for review in example.performance.expert_reviews  # type: ignore[attr-defined]
                      for s in review.scores.all()]
        rows.append({"id": example.pk, "title": example.title, "transcript": example.performance.transcript,
                     "link": example.performance.link, "scored_by_you": example.performance_id in mine,
                     "expert_scores": scores})
    return rows


def rubric_for_report(*, actor: Any, rubric_id: int) -> Rubric:
    """A rubric used by a scenario of a course the caller manages; otherwise 404."""
    rubrics = Rubric.objects.filter(pk=rubric_id)
    if not is_unrestricted(actor):
        rubrics = rubrics.filter(scenarios__activity__course_id__in=_managed_courses(actor))
    rubric = rubrics.first()
    if rubric is None:
        raise Http404
    return rubric


def performance_score(performance: Performance) -> scoring.FinalScore:
    scenario = performance.scenario
    reviews = list(performance.reviews.prefetch_related("scores"))
    weights = {row.reviewer_id: float(row.weight) for row in ReviewerCalibration.objects.filter(scenario=scenario)}
    return scoring.final_score(criteria=criterion_specs(criteria_with_levels(scenario.rubric_id)),
                               role_weights=scenario.role_weights, aggregation=scenario.peer_aggregation,
                               **score_inputs(performance, reviews, weights))


def criteria_with_levels(rubric_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric_id=rubric_id).prefetch_related("levels").order_by("position", "id"))


def score_inputs(performance: Performance, reviews: list[Review], weights: dict[int, float]) -> dict[str, Any]:
    """The keyword arguments of ``scoring.final_score`` for ``performance`` from its reviews (scores prefetched)."""
    peers, supervisors, partners, own = [], [], [], None
    for review in reviews:
        points = {s.criterion_id: s.points for s in review.scores.all()}
        if review.role == ReviewerRole.PEER:
            peers.append((weights.get(review.reviewer_id, 1.0), points))
        elif review.role == ReviewerRole.SUPERVISOR:
            supervisors.append(points)
        elif review.role == ReviewerRole.PARTNER and review.cared_for:
            partners.append(review.cared_for)
        elif review.role == ReviewerRole.SELF:
            own = points
    return {"peers": peers, "supervisors": supervisors, "partners": partners, "self_review": own}


def criterion_specs(criteria: list[Criterion]) -> list[scoring.CriterionSpec]:
    specs = []
    for criterion in criteria:
        points = [level.points for level in criterion.levels.all()]
        specs.append(scoring.CriterionSpec(criterion.pk, float(criterion.weight), min(points), max(points)))
    return specs


def access_scenario_manage(*, actor: Any, scenario_id: int) -> Scenario:
    """The scenario, for its course's managers: 404 when the actor cannot see it, 403 when they may not manage it."""
    scenario = scenario_get(actor=actor, scenario_id=scenario_id)
    if not scenario_can_manage(actor=actor, scenario=scenario):
        raise Forbidden("Only the course's instructors and its organization's admins may do this.")
    return scenario


def user_find(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def calibration_example_visible(*, actor: Any, example_id: int) -> CalibrationExample:
    """A calibration example of a scenario the actor sees; 404 otherwise."""
    example = CalibrationExample.objects.select_related("scenario").filter(pk=example_id).first()
    if example is None or not scenarios_visible_to(actor=actor).filter(pk=example.scenario_id).exists():
        raise NotFound("Not found.")
    return example


def _assignments() -> QuerySet[ReviewAssignment]:
    return ReviewAssignment.objects.select_related("performance__scenario__activity__course")


def access_assignment_manage(*, actor: Any, assignment_id: int) -> ReviewAssignment:
    """A review assignment, for its course's managers; 404 for anyone else (and for no such assignment)."""
    assignment = _assignments().filter(pk=assignment_id).first()
    if assignment is None or not course_selectors.course_can_manage(
            actor=actor, course=assignment.performance.scenario.activity.course):
        raise NotFound("Not found.")
    return assignment


def assignment_get(*, assignment_id: int) -> ReviewAssignment:
    return _assignments().get(pk=assignment_id)


def performance_standing(performance: Performance, reviews: list[Review]) -> dict[str, Any]:
    """Where the performance's review stands: the escalation step, reviews received of those asked for
    (received plus still pending; the self-review is not counted), and the date by which it resolves."""
    received = sum(1 for review in reviews if review.role != ReviewerRole.SELF)
    pending = performance.assignments.filter(status=ReviewAssignment.Status.PENDING).exclude(
        role=ReviewerRole.SELF).count() if performance.status in ("submitted", "in_review") else 0
    return {"escalation_step": performance.escalation_step, "reviews_received": received,
            "reviews_expected": received + pending, "resolves_by": performance.resolution_due_at,
            "resolution": performance.resolution, "resolution_reason": performance.resolution_reason,
            "reviewers_counted": performance.reviewers_counted}
