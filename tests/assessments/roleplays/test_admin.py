"""The role-play back office: rubric versions (frozen once used), scenarios scoped to one's courses,
reassigning a review, adding a calibration example, reading instruments."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from assessments.instruments import services as instrument_services
from assessments.roleplays.models import CalibrationExample, ReviewAssignment, Rubric
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from tests import factories as people
from tests.assessments.roleplays.factories import criteria_of, perform, scores, world

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    """Staff status as the membership services would set it for an instructor (the factories do not)."""
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    user.is_staff = True
    client = Client()
    client.force_login(user)
    return client


def test_rubric_admin_new_version_action_and_frozen_inlines(org):
    w = world(org, learners=1)
    client = _signed_in(w.instructor)
    rubric = w.scenario.rubric
    page = client.get(f"/admin/assessments/rubric/{rubric.pk}/change/")
    assert page.status_code == 200 and b"criteria-0-title" in page.content  # editable while unused
    roleplay_reviews.review_submit(performance=perform(w, 0), reviewer=w.learners[0], scores=scores(w.scenario, 2))
    page = client.get(f"/admin/assessments/rubric/{rubric.pk}/change/")
    assert page.status_code == 200 and b'name="criteria-0-title"' not in page.content  # frozen once used
    response = client.post("/admin/assessments/rubric/", {"action": "new_version", "_selected_action": [rubric.pk]})
    assert response.status_code == 302
    assert list(Rubric.objects.filter(slug=rubric.slug).values_list("version", flat=True)) == [2, 1]
    criterion_page = client.get(f"/admin/assessments/criterion/{criteria_of(w.scenario)[0].pk}/change/")
    assert criterion_page.status_code == 200 and b'name="levels-0-points"' not in criterion_page.content


def test_scenario_admin_is_scoped(org, other_org):
    mine = world(org, learners=0)
    theirs = world(other_org, learners=0)
    response = _signed_in(mine.instructor).get("/admin/assessments/scenario/")
    assert [s.pk for s in response.context["cl"].result_list] == [mine.scenario.pk]
    assert theirs.scenario.pk != mine.scenario.pk


def test_reassign_from_the_admin(org):
    w = world(org, learners=4)
    for i in range(4):
        perform(w, i)
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=2)
    assignment = ReviewAssignment.objects.filter(role="peer").first()
    newcomer = people.member(org)
    client = _signed_in(w.instructor)
    listing = client.get("/admin/assessments/reviewassignment/")
    assert listing.status_code == 200 and b"Reassign" in listing.content
    url = f"/admin/assessments/reviewassignment/{assignment.pk}/reassign/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"email": "nobody@example.com"}).status_code == 200
    response = client.post(url, {"email": newcomer.email})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "reassigned"
    assert ReviewAssignment.objects.filter(reviewer=newcomer, reason="reassigned").exists()


def test_calibration_example_from_the_admin(org):
    w = world(org, learners=0)
    criteria = criteria_of(w.scenario)
    data = {"scenario": w.scenario.pk, "title": "Strong call", "transcript": "Agent: ...",
            "expert_scores": json.dumps({c.key: 3 for c in criteria})}
    response = _signed_in(w.instructor).post("/admin/assessments/calibrationexample/add/", data)
    assert response.status_code == 302, response.content[:2000]
    example = CalibrationExample.objects.get()
    assert example.performance.reviews.get().scores.count() == 6


def test_instruments_are_listed(org):
    instrument_services.default_instrument_ensure()
    instructor = people.member(org, "instructor")
    response = _signed_in(instructor).get("/admin/assessments/instrument/")
    assert response.status_code == 200 and b"Service empathy check" in response.content
