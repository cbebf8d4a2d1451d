"""Reviews: every criterion with one of its levels (else 400), once, editable until the deadline; calibration
first; final score through activity_record_result; fallback to the supervisor when peers are too few or late."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.roleplays.errors import RoleplayError
from assessments.roleplays.models import Performance, Review, ReviewAssignment, ReviewerCalibration, ReviewScore
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services import rubrics as roleplay_rubrics
from courses.enrollments.models import ActivityProgress
from tests.assessments.roleplays.factories import criteria_of, perform, scores, world
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _url(performance):
    return f"/api/v1/roleplays/performances/{performance.pk}/reviews/"


@pytest.fixture
def allocated(org):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 1})
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=3)
    return w, performances


def _peer_assignment(performance):
    return ReviewAssignment.objects.filter(performance=performance, role="peer").first()


@pytest.mark.parametrize(("bad", "code"), [
    ("out_of_range", "invalid_level"), ("negative", "invalid"), ("missing", "invalid_review"),
    ("repeated", "invalid_review"), ("unknown", "invalid_review"), ("as_string", "invalid"),
])
def test_out_of_range_and_incomplete_scores_are_refused_and_nothing_is_written(client_for, allocated, bad, code):
    w, performances = allocated
    assignment = _peer_assignment(performances[0])
    body = scores(w.scenario, 2)
    if bad == "out_of_range":
        body[0]["points"] = 5
    elif bad == "negative":
        body[0]["points"] = -1
    elif bad == "missing":
        body = body[:-1]
    elif bad == "repeated":
        body[-1] = dict(body[0])
    elif bad == "unknown":
        body[0]["criterion"] = 999_999
    elif bad == "as_string":
        body[0]["points"] = "2"
    response = client_for(assignment.reviewer).post(_url(performances[0]), {"scores": body}, format="json")
    # A negative or quoted number breaks the schema (400); the rest are rules of the rubric (422).
    assert_error(response, 400 if code == "invalid" else 422, code)
    assert Review.objects.count() == ReviewScore.objects.count() == 0
    assignment.refresh_from_db()
    assert assignment.status == "pending"


def test_points_between_a_criterions_levels_are_rejected(org):
    levels = [{"points": 0, "label": "No", "descriptor": "Absent"},
              {"points": 10, "label": "Yes", "descriptor": "Present"}]
    rubric = roleplay_rubrics.rubric_create(slug="gapped", title="Gapped",
                                            criteria=[{"key": "x", "title": "X", "levels": levels}])
    w = world(org, learners=1, rubric=rubric)
    performance = perform(w, 0)
    criterion = criteria_of(w.scenario)[0]
    with pytest.raises(RoleplayError) as error:
        roleplay_reviews.review_submit(performance=performance, reviewer=w.learners[0],
                                       scores=[{"criterion": criterion.pk, "points": 5}])
    assert error.value.code == "invalid_level" and not Review.objects.exists()
    roleplay_reviews.review_submit(performance=performance, reviewer=w.learners[0],
                                   scores=[{"criterion": criterion.pk, "points": 10}])


def test_review_is_created_once_and_editable_until_the_deadline(client_for, allocated):
    w, performances = allocated
    assignment = _peer_assignment(performances[0])
    client = client_for(assignment.reviewer)
    first = client.post(_url(performances[0]), {"scores": scores(w.scenario, 2), "comments": "Good start",
                                                "opportunity_codes": {"party": "acknowledged"}}, format="json")
    assert first.status_code == 201, first.content
    assert_error(client.post(_url(performances[0]), {"scores": scores(w.scenario, 3)}, format="json"), 409,
                 "review_exists")
    review = Review.objects.get()
    assert (review.role, review.opportunity_codes) == ("peer", {"party": "acknowledged"})
    edited = client.put(f"/api/v1/roleplays/reviews/{review.pk}/", {"scores": scores(w.scenario, 4)}, format="json")
    assert edited.status_code == 200
    assert set(ReviewScore.objects.values_list("points", flat=True)) == {4}
    ReviewAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    late = client.put(f"/api/v1/roleplays/reviews/{review.pk}/", {"scores": scores(w.scenario, 1)}, format="json")
    assert_error(late, 409, "review_closed")
    assert set(ReviewScore.objects.values_list("points", flat=True)) == {4}
    bad_code = client.put(f"/api/v1/roleplays/reviews/{review.pk}/",
                          {"scores": scores(w.scenario, 1), "opportunity_codes": {"party": "ignored"}}, format="json")
    assert bad_code.status_code == 422


def test_a_late_assignment_takes_no_review(client_for, allocated):
    w, performances = allocated
    assignment = _peer_assignment(performances[1])
    ReviewAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    response = client_for(assignment.reviewer).post(_url(performances[1]), {"scores": scores(w.scenario, 2)},
                                                    format="json")
    assert_error(response, 409, "review_closed")
    assert not Review.objects.exists()


def test_partner_rates_how_cared_for_they_felt(org, client_for):
    w = world(org, learners=2, role_weights={"peer": 1, "supervisor": 1, "partner": 1})
    performance = perform(w, 0, partner=w.learners[1])
    client = client_for(w.learners[1])
    assert_error(client.post(_url(performance), {"cared_for": 6}, format="json"), 400)
    assert_error(client.post(_url(performance), {"cared_for": 4, "scores": scores(w.scenario, 2)}, format="json"),
                 422, "invalid_review")
    assert client.post(_url(performance), {"cared_for": 4}, format="json").status_code == 201
    assert Review.objects.get().cared_for == 4
    stranger = world(org, learners=1).learners[0]
    assert_error(client_for(stranger).post(_url(performance), {"cared_for": 4}, format="json"), 404)


def test_final_score_is_recorded_through_activity_progress(allocated):
    w, performances = allocated
    for assignment in ReviewAssignment.objects.filter(role="peer"):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, 2))
    performance = performances[0]
    performance.refresh_from_db()
    assert performance.status == "in_review"  # the supervisor's review is still pending
    roleplay_reviews.review_submit(performance=performance, reviewer=w.supervisor, scores=scores(w.scenario, 4))
    performance.refresh_from_db()
    # Peers all 2 -> 50; supervisor 4 -> 100; weights 1:1 -> 75 >= pass threshold 60.
    assert (performance.status, performance.final_score, performance.passed) == ("scored", 75, True)
    progress = ActivityProgress.objects.get(enrollment=w.enrollments[0], activity=w.scenario.activity)
    assert (progress.status, progress.score) == ("passed", 75)
    # A self-review never changes it.
    roleplay_reviews.review_submit(performance=performance, reviewer=w.learners[0], scores=scores(w.scenario, 0))
    performance.refresh_from_db()
    assert performance.final_score == 75


def test_too_few_peers_falls_to_the_supervisor_and_is_recorded(org):
    w = world(org, learners=1, role_weights={"peer": 1, "supervisor": 0})
    performance = perform(w, 0)
    roleplay_performances.peer_allocate(scenario=w.scenario)
    performance.refresh_from_db()
    assert (performance.peer_shortfall, performance.fallback_reason) == (3, "too_few_peers")
    fallback = ReviewAssignment.objects.get(performance=performance)
    assert (fallback.reviewer, fallback.role, fallback.reason) == (w.supervisor, "supervisor", "too_few_peers")
    roleplay_reviews.review_submit(performance=performance, reviewer=w.supervisor, scores=scores(w.scenario, 3))
    performance.refresh_from_db()
    assert (performance.status, performance.final_score) == ("scored", 75)  # the supervisor took the peers' weight


def test_late_peers_expire_and_the_review_falls_to_the_supervisor(org):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 0})
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=5)
    target = performances[0]
    on_time = ReviewAssignment.objects.filter(performance=target, role="peer").first()
    roleplay_reviews.review_submit(performance=target, reviewer=on_time.reviewer, scores=scores(w.scenario, 4))
    counts = roleplay_performances.roleplays_sweep(now=timezone.now() + timedelta(days=8))
    assert counts["expired"] == 11 and counts["fallbacks"] == 4
    target.refresh_from_db()
    assert target.fallback_reason == "late_peers" and target.status == "in_review"
    fallback = ReviewAssignment.objects.get(performance=target, role="supervisor")
    assert (fallback.reviewer, fallback.reason, fallback.status) == (w.supervisor, "late_peers", "pending")
    assert roleplay_performances.roleplays_sweep(now=timezone.now() + timedelta(days=8))["expired"] == 0  # idempotent
    roleplay_reviews.review_submit(performance=target, reviewer=w.supervisor, scores=scores(w.scenario, 2))
    target.refresh_from_db()
    # One on-time peer (4 -> 100) and the supervisor (2 -> 50, weight 0 since a peer did review): 100.
    assert (target.status, target.final_score, target.escalation_step, target.resolution) == (
        "scored", 100, "closed", "")
    # Nobody waits forever: past its resolution date (2 x 7 review days + 3 steps of 3 days) a performance
    # without any review closes unscored, with its reason, and the learner's activity is no longer blocked.
    other = performances[1]
    assert other.resolution_due_at == other.submitted_at + timedelta(days=23)
    counts = roleplay_performances.roleplays_sweep(now=timezone.now() + timedelta(days=30))
    other.refresh_from_db()
    assert counts["expired"] >= 1 and counts["unscored"] == 3
    assert (other.status, other.resolution, other.resolution_reason, other.reviewers_counted) == (
        "unscored", "unscored", "no_reviews", 0)
    assert not other.assignments.filter(status="pending").exists()
    progress = ActivityProgress.objects.get(enrollment=other.enrollment, activity=w.scenario.activity)
    assert (progress.status, progress.completed_at is not None, progress.score) == ("passed", True, None)
    assert roleplay_performances.roleplays_sweep(now=timezone.now() + timedelta(days=31))["unscored"] == 0


def test_stale_waiting_performances_are_allocated_by_the_sweep(org):
    w = world(org, learners=3)
    performances = [perform(w, i) for i in range(3)]
    assert roleplay_performances.roleplays_sweep()["allocated"] == 0
    assert roleplay_performances.roleplays_sweep(now=timezone.now() + timedelta(days=8))["allocated"] == 3
    assert {p.status for p in Performance.objects.filter(pk__in=[p.pk for p in performances])} == {"in_review"}


def test_calibration_comes_first_and_weights_peers(org, client_for):
    w = world(org, learners=3, peer_aggregation="calibrated_mean", role_weights={"peer": 1, "supervisor": 0})
    criteria = criteria_of(w.scenario)
    example = roleplay_reviews.calibration_example_create(
        scenario=w.scenario, title="Reference", transcript="Agent: ...", expert=w.instructor,
        scores=[{"criterion": c.pk, "points": 4} for c in criteria])
    performances = [perform(w, i) for i in range(3)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=1)
    assignment = ReviewAssignment.objects.filter(performance=performances[0], role="peer").first()
    client = client_for(assignment.reviewer)
    queue = client.get("/api/v1/roleplays/queue/").json()
    assert [e["id"] for e in queue["calibration"]] == [example.pk]
    assert_error(client.post(_url(performances[0]), {"scores": scores(w.scenario, 2)}, format="json"), 409,
                 "calibration_required")
    # Three criteria at 4 (exact), three at 2 (|2-4|/4 = 0.5): agreement 1 - 1.5/6 = 0.75 >= 0.7 -> weight 0.75.
    body = client.post(f"/api/v1/roleplays/calibration-examples/{example.pk}/reviews/",
                       {"scores": scores(w.scenario, [4, 4, 4, 2, 2, 2])}, format="json")
    assert body.status_code == 201 and body.json() == {"examples": 1, "agreement": "0.7500", "weight": "0.7500",
                                                       "flagged": False}
    assert_error(client.post(f"/api/v1/roleplays/calibration-examples/{example.pk}/reviews/",
                             {"scores": scores(w.scenario, 4)}, format="json"), 409, "review_exists")
    assert client.get("/api/v1/roleplays/queue/").json()["calibration"] == []
    assert client.post(_url(performances[0]), {"scores": scores(w.scenario, 2)}, format="json").status_code == 201
    # A reviewer far from the experts is flagged and counts half: all 0 -> agreement 0 -> weight 0.
    other = ReviewAssignment.objects.filter(performance=performances[0], role="peer").exclude(
        reviewer=assignment.reviewer).first()
    flagged = roleplay_reviews.calibration_review_submit(example=example, reviewer=other.reviewer,
                                                         scores=scores(w.scenario, 0))
    assert (flagged.flagged, float(flagged.agreement), float(flagged.weight)) == (True, 0.0, 0.0)
    assert ReviewerCalibration.objects.count() == 2
    # Staff see the expert scores; reviewers do not.
    staff = client_for(w.instructor).get(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/calibration-examples/")
    assert staff.json()[0]["expert_scores"][0]["points"] == 4
    mine = client.get(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/calibration-examples/").json()
    assert mine[0]["expert_scores"] is None and mine[0]["scored_by_you"] is True
