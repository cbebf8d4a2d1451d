"""The instructor's role-play work at /teach/roleplays/: the queue, calibration examples (list, create, from a
performance, edit, bad input), the rater-agreement page, the /teach/ home's count, permissions, query counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.roleplays.models import CalibrationExample, ReviewAssignment, ReviewerCalibration, ReviewScore
from assessments.roleplays.services import reviews as review_services
from tests import factories as people
from tests.assessments.roleplays.factories import add_learner, criteria_of, perform, scores, world

pytestmark = pytest.mark.django_db


def _form(scenario, points: int | list[int] = 3, **fields) -> dict:
    data = {"title": "A calm apology", "transcript": "Agent: I am sorry, let's fix it today.", "link": ""}
    for score in scores(scenario, points):
        data[f"criterion-{score['criterion']}"] = str(score["points"])
    data.update(fields)
    return data


def _owe(w, performance, reviewer) -> ReviewAssignment:
    assignment, _ = ReviewAssignment.objects.get_or_create(
        performance=performance, reviewer=reviewer, role="supervisor",
        defaults={"reason": "escalated", "due_at": timezone.now() + timedelta(days=2)})
    return assignment


def test_the_queue_shows_what_is_owed_and_what_may_be_taken(org, client):
    w = world(org, learners=3)
    first, second, _ = (perform(w, i) for i in range(3))
    _owe(w, first, w.instructor)
    client.force_login(w.instructor)
    response = client.get(reverse("pages:teach-roleplays"))
    assert response.status_code == 200
    text = response.text
    assert 'href="/teach/roleplays/" aria-current="page"' in text
    owed, may_take = text.split("Reviews you may take")
    assert reverse("pages:review", args=[first.pk]) in owed
    assert reverse("pages:review", args=[first.pk]) not in may_take  # listed once, as owed
    assert reverse("pages:review", args=[second.pk]) in may_take  # as the course's instructor
    assert w.learners[1].display_name in text
    assert reverse("pages:teach-roleplay-calibration", args=[w.scenario.pk]) in text
    assert reverse("pages:teach-roleplay-agreement", args=[w.scenario.rubric_id]) in text


def test_the_teach_home_counts_the_reviews_owed(org, client):
    w = world(org, learners=2)
    for index in range(2):
        _owe(w, perform(w, index), w.instructor)
    client.force_login(w.instructor)
    response = client.get(reverse("pages:teach"))
    assert "Role-play reviews you owe" in response.text
    owed = '<a href="/teach/roleplays/">Role-play reviews you owe</a> <span class="badge warn">2</span>'
    assert owed in response.text
    ReviewAssignment.objects.update(status=ReviewAssignment.Status.DONE)
    assert "Role-play reviews you owe" not in client.get(reverse("pages:teach")).text


def test_create_a_calibration_example_and_bad_input_writes_nothing(org, client):
    w = world(org, learners=1)
    client.force_login(w.instructor)
    url = reverse("pages:teach-roleplay-calibration-new", args=[w.scenario.pk])
    assert client.get(url).status_code == 200
    bad = _form(w.scenario, title="")
    criterion = criteria_of(w.scenario)[0]
    del bad[f"criterion-{criterion.pk}"]
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Give the example a title." in response.text and "Choose a level for this criterion." in response.text
    assert client.post(url, _form(w.scenario, **{f"criterion-{criterion.pk}": "77"})).status_code == 400
    assert client.post(url, _form(w.scenario, link="not a link")).status_code == 400
    assert not CalibrationExample.objects.exists()
    response = client.post(url, _form(w.scenario))
    assert response.status_code == 302
    example = CalibrationExample.objects.get()
    assert example.title == "A calm apology" and example.created_by == w.instructor
    listing = client.get(reverse("pages:teach-roleplay-calibration", args=[w.scenario.pk])).text
    assert "A calm apology" in listing
    assert reverse("pages:teach-roleplay-calibration-edit", args=[example.pk]) in listing


def test_an_example_starts_from_a_learners_performance(org, client):
    w = world(org, learners=1)
    performance = perform(w, 0, transcript="Agent: The party is tomorrow, so I will ship a new one tonight.")
    client.force_login(w.instructor)
    listing = client.get(reverse("pages:teach-roleplay-calibration", args=[w.scenario.pk])).text
    url = reverse("pages:teach-roleplay-calibration-new", args=[w.scenario.pk]) + f"?performance={performance.pk}"
    assert url.replace("?", "?") in listing.replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200 and "I will ship a new one tonight" in response.text


def test_edit_an_example_refreshes_the_reviewers_calibration(org, client):
    w = world(org, learners=1)
    example = review_services.calibration_example_create(scenario=w.scenario, title="Reference", transcript="T",
                                                         expert=w.instructor, scores=scores(w.scenario, 3))
    peer = w.learners[0]
    review_services.calibration_review_submit(example=example, reviewer=peer, scores=scores(w.scenario, 3))
    assert ReviewerCalibration.objects.get(reviewer=peer).agreement == 1
    client.force_login(w.instructor)
    url = reverse("pages:teach-roleplay-calibration-edit", args=[example.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Reference"' in page.text and "checked" in page.text
    assert client.post(url, _form(w.scenario, transcript="")).status_code == 400
    example.refresh_from_db()
    assert example.title == "Reference" and example.performance.transcript == "T"
    lowest = [min(level.points for level in c.levels.all()) for c in criteria_of(w.scenario)]
    response = client.post(url, _form(w.scenario, lowest, title="Reference, rescored"))
    assert response.status_code == 302
    example.refresh_from_db()
    assert example.title == "Reference, rescored"
    expert = ReviewScore.objects.filter(review__performance=example.performance, review__role="expert")
    assert sorted(expert.values_list("points", flat=True)) == sorted(lowest)
    assert ReviewerCalibration.objects.get(reviewer=peer).agreement < 1


def test_the_agreement_page_explains_the_numbers(org, client):
    w = world(org, learners=3)
    for index in range(3):
        performance = perform(w, index)
        for reviewer, points in ((w.instructor, 3), (w.supervisor, 2)):
            review_services.review_submit(performance=performance, reviewer=reviewer, role="supervisor",
                                          scores=scores(w.scenario, points))
    client.force_login(w.instructor)
    url = reverse("pages:teach-roleplay-agreement", args=[w.scenario.rubric_id])
    response = client.get(url)
    assert response.status_code == 200
    text = response.text
    assert "What the numbers mean" in text and "Per criterion" in text and "Leniency" in text
    assert w.supervisor.display_name in text and 'class="table-scroll"' in text
    assert client.get(url, {"scenario": w.scenario.pk, "cohort": ""}).status_code == 200
    assert client.get(url, {"scenario": "abc"}).status_code == 400
    assert client.get(url, {"cohort": "x" * 101}).status_code == 400
    portuguese = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "O que os números significam" in portuguese


def test_outsiders_get_404_and_learners_403(org, other_org, client):
    w = world(org, learners=1)
    example = review_services.calibration_example_create(scenario=w.scenario, title="Reference", transcript="T",
                                                         expert=w.instructor, scores=scores(w.scenario, 3))
    urls = [reverse("pages:teach-roleplay-calibration", args=[w.scenario.pk]),
            reverse("pages:teach-roleplay-calibration-new", args=[w.scenario.pk]),
            reverse("pages:teach-roleplay-calibration-edit", args=[example.pk]),
            reverse("pages:teach-roleplay-agreement", args=[w.scenario.rubric_id])]
    for person in (people.member(other_org, "instructor"), people.member(org, "instructor")):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(urls[1], _form(w.scenario)).status_code == 404
        assert client.get(reverse("pages:teach-roleplays")).status_code == 200
    client.force_login(w.learners[0])
    for url in [*urls, reverse("pages:teach-roleplays")]:
        assert client.get(url).status_code == 403, url
    assert CalibrationExample.objects.count() == 1


def test_a_performance_of_another_scenario_is_not_copied(org, client):
    w = world(org, learners=1)
    other = world(org, learners=1)
    foreign = perform(other, 0)
    client.force_login(w.instructor)
    url = reverse("pages:teach-roleplay-calibration-new", args=[w.scenario.pk])
    assert client.get(url, {"performance": foreign.pk}).status_code == 404


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_are_constant_in_the_number_of_performances(org, client):
    w = world(org, learners=10)
    for index in range(10):
        _owe(w, perform(w, index), w.instructor)
    client.force_login(w.instructor)
    urls = [reverse("pages:teach-roleplays"), reverse("pages:teach-roleplay-calibration", args=[w.scenario.pk])]
    for url in urls:
        client.get(url)
    small = [_count(client, url) for url in urls]
    for _ in range(20):
        enrollment = add_learner(w, org)
        _owe(w, perform(w, w.enrollments.index(enrollment)), w.instructor)
    assert [_count(client, url) for url in urls] == small
