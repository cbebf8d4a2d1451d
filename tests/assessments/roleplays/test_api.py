"""Scenarios, allocation, reassignment and the agreement report through the API."""
from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from assessments.roleplays.models import ReviewAssignment, ReviewScore
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from tests import factories as people
from tests.assessments.roleplays.factories import criteria_of, perform, scores, world
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_scenarios_for_enrolled_learners_and_staff(org, other_org, client_for):
    w = world(org, learners=1)
    listed = client_for(w.learners[0]).get("/api/v1/roleplays/scenarios/").json()
    assert [row["id"] for row in listed["results"]] == [w.scenario.pk]
    detail = client_for(w.learners[0]).get(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/").json()
    assert detail["rubric"]["title"] == "Empathic customer conversation"
    assert len(detail["rubric"]["criteria"]) == 6
    assert [lv["points"] for lv in detail["rubric"]["criteria"][0]["levels"]] == [0, 1, 2, 3, 4]
    assert detail["opportunities"][0]["key"] == "party" and detail["peer_count"] == 3
    assert client_for(w.instructor).get(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/").status_code == 200
    for outsider in (people.member(org), people.member(other_org, "instructor")):
        assert_error(client_for(outsider).get(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/"), 404)
        assert client_for(outsider).get("/api/v1/roleplays/scenarios/").json()["results"] == []


def test_allocate_endpoint_and_queue_with_deadlines(org, client_for):
    w = world(org, learners=4)
    for i in range(4):
        perform(w, i, cohort="spring" if i < 3 else "autumn")
    response = client_for(w.instructor).post(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/allocate/",
                                             {"cohort": "spring"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["summary"] == {"performances": 3, "groups": 1, "peer_assignments": 6, "fallbacks": 3}
    queue = client_for(w.learners[0]).get("/api/v1/roleplays/queue/").json()
    assert len(queue["assignments"]) == 2
    assert all(a["role"] == "peer" and a["due_at"] for a in queue["assignments"])
    supervisor_queue = client_for(w.supervisor).get("/api/v1/roleplays/queue/").json()
    assert len(supervisor_queue["assignments"]) == 4  # one per performance (the scenario weighs the supervisor)
    assert_error(client_for(w.instructor).post(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/allocate/",
                                               {"due_at": "2000-01-01T00:00:00Z"}, format="json"), 422)


def test_reassign_a_review(org, client_for):
    w = world(org, learners=4)
    for i in range(4):
        perform(w, i)
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=9)
    assignment = ReviewAssignment.objects.filter(role="peer").first()
    newcomer = people.member(org)
    url = f"/api/v1/roleplays/assignments/{assignment.pk}/reassign/"
    response = client_for(w.instructor).post(url, {"reviewer": newcomer.pk}, format="json")
    assert response.status_code == 201, response.content
    assignment.refresh_from_db()
    assert assignment.status == "reassigned"
    created = ReviewAssignment.objects.get(pk=response.json()["id"])
    assert (created.reviewer, created.reason, created.due_at) == (newcomer, "reassigned", assignment.due_at)
    performer = assignment.performance.enrollment.user
    assert_error(client_for(w.instructor).post(f"/api/v1/roleplays/assignments/{created.pk}/reassign/",
                                               {"reviewer": performer.pk}, format="json"), 422)
    assert_error(client_for(w.instructor).post(url, {"reviewer": newcomer.pk}, format="json"), 409)


def test_agreement_report_matches_the_package_and_shows_leniency(org, client_for):
    w = world(org, learners=5, role_weights={"peer": 1, "supervisor": 1})
    performances = [perform(w, i, cohort="spring" if i < 3 else "autumn") for i in range(5)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=4)
    criteria = criteria_of(w.scenario)
    lenient = w.learners[0]
    for assignment in ReviewAssignment.objects.select_related("performance").order_by("id"):
        index = performances.index(assignment.performance)
        base = [(index + n) % 4 for n in range(len(criteria))]
        bump = 1 if assignment.reviewer == lenient else 0
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                               scores=scores(w.scenario, [min(4, b + bump) for b in base]), role=assignment.role)
    response = client_for(w.instructor).get(f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/")
    assert response.status_code == 200, response.content
    body = response.json()
    # The same figure from the package, over raters x (performance, criterion) units.
    rows = list(ReviewScore.objects.values_list("review__reviewer_id", "review__performance_id", "criterion_id",
                                                "points"))
    raters = sorted({r[0] for r in rows})
    units = sorted({(r[1], r[2]) for r in rows})
    matrix = np.full((len(raters), len(units)), np.nan)
    for reviewer, performance, criterion, points in rows:
        matrix[raters.index(reviewer), units.index((performance, criterion))] = points
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")
    assert body["overall"]["alpha"] == pytest.approx(expected, abs=1e-4)
    assert (body["overall"]["units"], body["overall"]["raters"]) == (30, 6)
    assert len(body["criteria"]) == 6 and {c["cohort"] for c in body["cohorts"]} == {"autumn", "spring"}
    assert all(c["units"] == 5 for c in body["criteria"])
    by_id = {r["id"]: r for r in body["reviewers"]}
    assert by_id[lenient.pk]["leniency"] > 0
    assert by_id[w.supervisor.pk]["roles"] == ["supervisor"]
    assert body["threshold"] == 0.667
    spring = client_for(w.instructor).get(
        f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/?cohort=spring").json()
    assert spring["overall"]["units"] == 18 and [c["cohort"] for c in spring["cohorts"]] == ["spring"]
    assert_error(client_for(w.instructor).get(
        f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/?scenario=x"), 400)


def test_disagreement_is_flagged(org, client_for):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 0})
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=1)
    for number, assignment in enumerate(ReviewAssignment.objects.order_by("id")):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, [0, 4][number % 2]))
    body = client_for(w.instructor).get(f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/").json()
    assert body["overall"]["flagged"] is True
    assert len(performances) == 4
