"""The escalation chain, step by step: peers -> supervisor -> instructors -> admins -> final by deadline."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from assessments.roleplays import escalation
from assessments.roleplays.errors import RoleplayConflict
from assessments.roleplays.models import ReviewAssignment
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services.escalation import performance_escalate, performances_escalate
from courses.enrollments.models import ActivityProgress
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.roleplays.factories import add_learner, perform, scores, world
from tests.factories import member
from tests.helpers import assert_error, signed_in

pytestmark = pytest.mark.django_db
SENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_the_resolution_date_is_computed_from_the_submission_and_settings():
    schedule = escalation.escalation_schedule(SENT, review_days=7, step_days=3)
    assert schedule == [("peers", SENT + timedelta(days=14)), ("supervisor", SENT + timedelta(days=17)),
                        ("instructors", SENT + timedelta(days=20)), ("admins", SENT + timedelta(days=23))]
    assert escalation.performance_resolution_due(SENT, review_days=2, step_days=1) == SENT + timedelta(days=7)
    assert escalation.steps_still_open(schedule, after="peers", now=SENT + timedelta(days=18)) == schedule[2:]
    assert escalation.steps_still_open(schedule, after="admins", now=SENT) == []
    with pytest.raises(ValueError):
        escalation.escalation_schedule(SENT, review_days=0, step_days=3)


def test_the_chain_asks_each_group_in_turn_then_scores_what_came_in(org, settings):
    settings.ROLEPLAY_ESCALATION_STEP_DAYS = 3
    admin = member(org, "org_admin")
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 0})
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=3)
    target = performances[0]
    peer = ReviewAssignment.objects.filter(performance=target, role="peer").first()
    roleplay_reviews.review_submit(performance=target, reviewer=peer.reviewer, scores=scores(w.scenario, 3))
    target.refresh_from_db()
    assert (target.status, target.escalation_step) == ("in_review", "peers")
    assert target.step_due_at == target.submitted_at + timedelta(days=14)
    assert target.resolution_due_at == target.submitted_at + timedelta(days=23)
    asked = {}
    for step, days in (("supervisor", 14), ("instructors", 17), ("admins", 20)):
        moment = target.submitted_at + timedelta(days=days)
        assert performance_escalate(performance=target, now=moment - timedelta(seconds=1)) is None  # not yet
        assert performance_escalate(performance=target, now=moment) == step
        assert performance_escalate(performance=target, now=moment) is None  # idempotent
        target.refresh_from_db()
        new = ReviewAssignment.objects.get(performance=target, reason="escalated", created_at=moment)
        assert (new.role, new.status, new.due_at) == ("supervisor", "pending", moment + timedelta(days=3))
        asked[step] = new.reviewer
    assert asked == {"supervisor": w.supervisor, "instructors": w.instructor, "admins": admin}
    counts = performances_escalate(now=max(p.resolution_due_at for p in performances))
    target.refresh_from_db()
    assert counts["final_by_deadline"] == 1 and counts["unscored"] == 3
    # One peer scored 3 of 4 on every criterion: 75, final by deadline from one review.
    assert (target.status, target.resolution, target.reviewers_counted, target.final_score) == (
        "scored", "deadline", 1, 75)
    assert not target.assignments.filter(status="pending").exists()
    progress = ActivityProgress.objects.get(enrollment=target.enrollment, activity=w.scenario.activity)
    assert (progress.score, progress.attempts) == (75, 1)
    # Late reviewers find it closed.
    assert_error_code(lambda: roleplay_reviews.review_submit(performance=target, reviewer=admin,
                                                             scores=scores(w.scenario, 4)), "review_closed")
    assert performances_escalate(now=target.resolution_due_at + timedelta(days=1)) == {
        "escalated": 0, "final_by_deadline": 0, "unscored": 0}


def assert_error_code(call, code: str) -> None:
    with pytest.raises(RoleplayConflict) as caught:
        call()
    assert caught.value.code == code


def test_empty_groups_are_skipped_at_once(org, settings):
    """No manager, no instructor, no admin: the chain is exhausted at the peers' deadline, days early."""
    settings.ROLEPLAY_ESCALATION_STEP_DAYS = 3
    w = world(org, learners=0, role_weights={"peer": 1, "supervisor": 0})
    w.course.instructors.clear()
    add_learner(w, org)  # no manager
    performance = perform(w, 0)
    moment = performance.step_due_at
    assert performances_escalate(now=moment)["unscored"] == 1
    performance.refresh_from_db()
    assert (performance.status, performance.resolution_reason, performance.escalation_step) == (
        "unscored", "no_reviews", "closed")
    assert moment < performance.resolution_due_at
    progress = ActivityProgress.objects.get(enrollment=performance.enrollment, activity=w.scenario.activity)
    assert (progress.status, progress.score) == ("passed", None)


def test_a_manager_already_asked_is_not_asked_again(org, settings):
    settings.ROLEPLAY_ESCALATION_STEP_DAYS = 2
    w = world(org, learners=1, role_weights={"peer": 1, "supervisor": 1})  # the manager owes a review from the start
    performance = perform(w, 0)
    assert performance_escalate(performance=performance, now=performance.step_due_at) == "instructors"
    assert ReviewAssignment.objects.filter(performance=performance, reviewer=w.supervisor).count() == 1


def test_the_learner_sees_where_the_review_stands(org, client_for, settings):
    settings.ROLEPLAY_ESCALATION_STEP_DAYS = 3
    w = world(org, learners=3, role_weights={"peer": 1, "supervisor": 0})
    performances = [perform(w, i) for i in range(3)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=1)
    target = performances[0]
    peer = ReviewAssignment.objects.filter(performance=target, role="peer").first()
    roleplay_reviews.review_submit(performance=target, reviewer=peer.reviewer, scores=scores(w.scenario, 2))
    body = client_for(w.learners[0]).get(f"/api/v1/roleplays/performances/{target.pk}/").json()
    assert body["escalation_step"] == "peers" and body["resolution"] == ""
    # Received: one peer; expected besides: the other peer and the supervisor standing in for the missing one.
    assert body["standing"]["reviews_received"] == 1 and body["standing"]["reviews_expected"] == 3
    assert body["resolves_by"] == body["standing"]["resolves_by"]
    assert body["resolves_by"].startswith((target.submitted_at + timedelta(days=23)).date().isoformat())
    html = signed_in(w.learners[0]).get(reverse("pages:roleplay-result", args=[target.pk])).content.decode()
    assert "Your peers" in html and "1 of 3" in html and "Resolved by" in html
    performances_escalate(now=performances[1].resolution_due_at)
    html = signed_in(w.learners[1]).get(reverse("pages:roleplay-result", args=[performances[1].pk])).content.decode()
    assert "Closed without a score" in html and "The activity counts as done" in html
    body = client_for(w.learners[0]).get(f"/api/v1/roleplays/performances/{target.pk}/").json()
    assert (body["status"], body["resolution"], body["reviewers_counted"], body["escalation_step"]) == (
        "scored", "deadline", 1, "closed")
    assert_error(client_for(w.instructor).post(f"/api/v1/roleplays/performances/{target.pk}/reviews/",
                                               {"scores": scores(w.scenario, 4)}, format="json"), 409, "review_closed")
