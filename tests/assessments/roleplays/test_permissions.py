"""Who sees what: learners their own performances' reviews (peers anonymous), peers only what they were
allocated, supervisors their team, instructors their courses, HR only aggregates; 404 outside scope."""
from __future__ import annotations

import pytest

from assessments.roleplays.models import ReviewAssignment
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from tests import factories as people
from tests.assessments.roleplays.factories import membership_of, perform, scores, world
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(org):
    w = world(org, learners=5, role_weights={"peer": 1, "supervisor": 1})
    performances = [perform(w, i) for i in range(5)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=11)
    target = performances[0]
    peer_rows = list(ReviewAssignment.objects.filter(performance=target, role="peer").select_related("reviewer"))
    for assignment in peer_rows:
        roleplay_reviews.review_submit(performance=target, reviewer=assignment.reviewer, scores=scores(w.scenario, 3),
                                       comments="You named the worry early.")
    roleplay_reviews.review_submit(performance=target, reviewer=w.supervisor, scores=scores(w.scenario, 4))
    roleplay_reviews.review_submit(performance=target, reviewer=w.learners[0], scores=scores(w.scenario, 4))
    return w, performances, target, [a.reviewer for a in peer_rows]


def _detail(client, performance):
    return client.get(f"/api/v1/roleplays/performances/{performance.pk}/")


def test_learner_sees_all_reviews_of_their_performance_with_peers_anonymous(client_for, reviewed):
    w, _, target, peers = reviewed
    response = _detail(client_for(w.learners[0]), target)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "scored" and body["final_score"] == "87.50"
    roles = [review["role"] for review in body["reviews"]]
    assert roles.count("peer") == 3 and "supervisor" in roles and "self" in roles
    for review in body["reviews"]:
        if review["role"] == "peer":
            assert review["reviewer"] is None and review["label"].startswith("Peer ")
    assert not any(peer.email in response.content.decode() for peer in peers if peer != w.learners[0])
    supervisor_review = next(r for r in body["reviews"] if r["role"] == "supervisor")
    assert supervisor_review["reviewer"]["id"] == w.supervisor.pk
    gaps = {row["criterion"]: row["self_gap"] for row in body["breakdown"]["criteria"]}
    assert set(gaps.values()) == {12.5}  # self 100 vs combined (75 + 100) / 2


def test_peer_sees_only_what_was_allocated_and_only_their_own_review(client_for, reviewed):
    _, performances, target, peers = reviewed
    peer = peers[0]
    client = client_for(peer)
    body = _detail(client, target).json()
    assert body["performer"] is None and body["breakdown"] is None
    assert [r["reviewer"]["id"] for r in body["reviews"]] == [peer.pk]
    allocated = set(ReviewAssignment.objects.filter(reviewer=peer, role="peer").values_list("performance_id",
                                                                                            flat=True))
    own = {p.pk for p in performances if p.enrollment.user_id == peer.pk}
    listed = {row["id"] for row in client.get("/api/v1/roleplays/performances/").json()["results"]}
    assert listed == allocated | own
    for performance in performances:
        if performance.pk not in allocated | own:
            assert_error(_detail(client, performance), 404)


def test_supervisor_sees_their_team_and_not_others(client_for, reviewed, org):
    w, performances, target, _ = reviewed
    body = _detail(client_for(w.supervisor), target).json()
    assert all(review["reviewer"] is not None for review in body["reviews"])
    assert body["performer"]["id"] == w.learners[0].pk
    listed = {row["id"] for row in client_for(w.supervisor).get("/api/v1/roleplays/performances/").json()["results"]}
    assert listed == {p.pk for p in performances}
    other_supervisor = people.member(org, "supervisor")
    assert_error(_detail(client_for(other_supervisor), target), 404)
    assert client_for(other_supervisor).get("/api/v1/roleplays/performances/").json()["results"] == []
    # Managing someone in another organization gives nothing here.
    assert membership_of(w.supervisor, org).reports.count() == 5


def test_instructor_sees_the_course_and_others_see_nothing(client_for, reviewed, org, other_org):
    w, _, target, _ = reviewed
    assert _detail(client_for(w.instructor), target).status_code == 200
    for outsider in (people.member(org), people.member(org, "hr"), people.member(other_org, "instructor"),
                     people.member(org, "instructor")):
        assert_error(_detail(client_for(outsider), target), 404)
        assert_error(client_for(outsider).post(f"/api/v1/roleplays/performances/{target.pk}/reviews/",
                                               {"scores": scores(w.scenario, 2)}, format="json"), 404)


def test_hr_api_key_reaches_no_individual_data(api_client, reviewed, org):
    _, _, target, _ = reviewed
    _, raw = people.api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    for url in (f"/api/v1/roleplays/performances/{target.pk}/", "/api/v1/roleplays/performances/",
                "/api/v1/roleplays/queue/"):
        assert api_client.get(url).status_code in (403, 404)
    assert api_client.get("/api/v1/reports/empathy-growth/").status_code == 200


def test_staff_only_actions_are_refused_to_learners(client_for, reviewed):
    w, _, _, _ = reviewed
    learner = client_for(w.learners[1])
    assert_error(learner.post(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/allocate/", {}, format="json"), 403)
    assert_error(learner.get(f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/"), 404)
    assignment = ReviewAssignment.objects.filter(status="pending").first() or ReviewAssignment.objects.first()
    assert_error(learner.post(f"/api/v1/roleplays/assignments/{assignment.pk}/reassign/",
                              {"reviewer": w.learners[2].pk}, format="json"), 404)
