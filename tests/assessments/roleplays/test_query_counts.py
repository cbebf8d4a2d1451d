"""Query counts for the reviewer's queue and the agreement report: the same at two sizes, and pinned."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.roleplays.models import ReviewAssignment
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from lms.models import User
from tests.assessments.roleplays.factories import criteria_of, perform, scores, world

pytestmark = pytest.mark.django_db

# queue: pending assignments (+performance, scenario, activity, course), calibration examples not yet scored
MAX_QUEUE = 2
# agreement: roles, managed-course check on the rubric, scores, criteria, departments, booked sessions,
# reviewers, calibrations
MAX_AGREEMENT = 8


def _world(org, learners: int):
    w = world(org, learners=learners, peer_count=3)
    roleplay_reviews.calibration_example_create(scenario=w.scenario, title="Ref", transcript="x", expert=w.instructor,
                                                scores=scores(w.scenario, 3))
    for i in range(learners):
        perform(w, i)
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=learners)
    return w


def _measure(client_for, user_pk: int, url: str) -> tuple[int, dict]:
    client = client_for(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_reviewer_queue_is_constant(org, client_for, django_assert_max_num_queries):
    small = _world(org, 4)
    small_count, body = _measure(client_for, small.supervisor.pk, "/api/v1/roleplays/queue/")
    assert len(body["assignments"]) == 4
    large = _world(org, 20)
    large_count, body = _measure(client_for, large.supervisor.pk, "/api/v1/roleplays/queue/")
    assert len(body["assignments"]) == 20
    peer_count, body = _measure(client_for, large.learners[0].pk, "/api/v1/roleplays/queue/")
    assert len(body["assignments"]) == 3 and len(body["calibration"]) == 1
    assert small_count == large_count == peer_count
    client = client_for(User.objects.get(pk=large.supervisor.pk))
    with django_assert_max_num_queries(MAX_QUEUE):
        client.get("/api/v1/roleplays/queue/")


def _review_all(w):
    criteria = criteria_of(w.scenario)
    for example in w.scenario.calibration_examples.all():
        for learner in w.learners:
            roleplay_reviews.calibration_review_submit(example=example, reviewer=learner, scores=scores(w.scenario, 3))
    for n, assignment in enumerate(ReviewAssignment.objects.filter(performance__scenario=w.scenario,
                                                                   status="pending").order_by("id")):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, [(n + i) % 5 for i in range(len(criteria))]),
                                       role=assignment.role)


def test_agreement_report_is_constant(org, client_for, django_assert_max_num_queries):
    counts = []
    for learners in (4, 16):
        w = _world(org, learners)
        _review_all(w)
        url = f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/?scenario={w.scenario.pk}"
        count, body = _measure(client_for, w.instructor.pk, url)
        assert body["overall"]["units"] == learners * 6
        assert len(body["reviewers"]) == learners + 1
        counts.append(count)
    assert counts[0] == counts[1]
    client = client_for(User.objects.get(pk=w.instructor.pk))
    with django_assert_max_num_queries(MAX_AGREEMENT):
        client.get(url)
