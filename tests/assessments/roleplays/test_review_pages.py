"""The reviews pages: what one owes and gave, reviewing a performance against the rubric, calibration."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.roleplays.models import Review, ReviewAssignment, ReviewerCalibration, ReviewScore
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.roleplays.factories import add_learner, criteria_of, perform, scores, world
from tests.factories import member
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db



def review_url(performance) -> str:
    return reverse("pages:review", args=[performance.pk])


def rubric_post(scenario, points=3, **extra) -> dict:
    data = {f"criterion-{item['criterion']}": str(item["points"]) for item in scores(scenario, points)}
    data.update(extra)
    return data


@pytest.fixture
def allocated(org):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 1})
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=3)
    return w, performances


def peer_assignment(performance) -> ReviewAssignment:
    return ReviewAssignment.objects.filter(performance=performance, role="peer").order_by("id").first()


def test_anonymous_visitors_are_sent_to_sign_in(client, allocated):
    _, performances = allocated
    for url in (reverse("pages:reviews"), review_url(performances[0])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("pages:sign-in") in response["Location"]


def test_the_list_shows_reviews_owed_with_due_dates_and_given_ones(allocated):
    w, performances = allocated
    assignment = peer_assignment(performances[0])
    client = signed_in(assignment.reviewer)
    html = client.get(reverse("pages:reviews")).content.decode()
    owed = ReviewAssignment.objects.filter(reviewer=assignment.reviewer, status="pending")
    assert owed.count() == 3
    for row in owed:
        assert f'href="{review_url(row.performance)}"' in html
        assert f'datetime="{row.due_at.isoformat()}"' in html
    assert "You have not reviewed anything yet." in html
    client.post(review_url(performances[0]), rubric_post(w.scenario))
    html = client.get(reverse("pages:reviews")).content.decode()
    assert "Your review of the performance sent on " in html
    assert f"performance {performances[0].pk}" not in html  # a person's words, not the row's id


def test_review_page_shows_transcript_and_rubric_levels_as_radios(allocated):
    w, performances = allocated
    assignment = peer_assignment(performances[0])
    response = signed_in(assignment.reviewer).get(review_url(performances[0]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Agent: I hear the party is tomorrow." in html
    for criterion in criteria_of(w.scenario):
        assert f"<legend>{criterion.title}</legend>" in html
        for level in criterion.levels.all():
            assert level.descriptor.replace("'", "&#x27;") in html
            assert re.search(rf'<input type="radio" name="criterion-{criterion.pk}" value="{level.points}"', html)
    assert "<strong>4 · Exemplary</strong>" in html
    assert '<label for="id_comments">Comments</label>' in html
    assert '<button type="submit">Submit review</button>' in html
    assert performances[0].enrollment.user.display_name not in html  # peers review anonymously


def test_submitting_a_review(allocated):
    w, performances = allocated
    assignment = peer_assignment(performances[0])
    response = signed_in(assignment.reviewer).post(
        review_url(performances[0]), rubric_post(w.scenario, 2, comments="Good opening",
                                                 **{"opportunity-party": "explored"}))
    assert response.status_code == 302 and response["Location"] == reverse("pages:reviews")
    review = Review.objects.get()
    assert (review.role, review.comments, review.opportunity_codes) == ("peer", "Good opening", {"party": "explored"})
    assert sorted(review.scores.values_list("points", flat=True)) == [2] * len(criteria_of(w.scenario))
    assignment.refresh_from_db()
    assert assignment.status == "done"
    # Back on the page: the review given, no second form.
    html = signed_in(assignment.reviewer).get(review_url(performances[0])).content.decode()
    assert "You reviewed this performance on" in html and "Submit review" not in html


@pytest.mark.parametrize("breakage", ["missing_criterion", "unknown_level", "two_levels", "bad_code", "long_comment"])
def test_bad_reviews_show_field_errors_with_400_and_write_nothing(allocated, breakage):
    w, performances = allocated
    assignment = peer_assignment(performances[0])
    data = rubric_post(w.scenario)
    first = criteria_of(w.scenario)[0]
    name = f"criterion-{first.pk}"
    if breakage == "missing_criterion":
        del data[name]
    elif breakage == "unknown_level":
        data[name] = "9"
    elif breakage == "two_levels":
        data[name] = ["1", "2"]
    elif breakage == "bad_code":
        name = "opportunity-party"
        data[name] = "ignored-it"
    else:
        name = "comments"
        data[name] = "x" * 5001
    response = signed_in(assignment.reviewer).post(review_url(performances[0]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and f'id="id_{name}_errors"' in html
    assert Review.objects.count() == ReviewScore.objects.count() == 0
    assignment.refresh_from_db()
    assert assignment.status == "pending"


def test_reviews_are_scoped(allocated, org, other_org):
    w, performances = allocated
    stranger = add_learner(w, org).user  # a classmate in the course, not allocated to this performance
    for user in (stranger, member(other_org), member(w.course.organization)):
        client = signed_in(user)
        assert client.get(review_url(performances[0])).status_code == 404
        assert client.post(review_url(performances[0]), rubric_post(w.scenario)).status_code == 404
    assert signed_in(stranger).get(reverse("pages:review", args=[999_999_999])).status_code == 404
    assert not Review.objects.exists()


def test_a_self_review_goes_back_to_the_results(allocated):
    w, performances = allocated
    client = signed_in(performances[0].enrollment.user)
    response = client.post(review_url(performances[0]), rubric_post(w.scenario, 4))
    assert response["Location"] == reverse("pages:roleplay-result", args=[performances[0].pk])
    assert Review.objects.get().role == "self"


def test_the_supervisor_sees_the_performers_name(allocated):
    w, performances = allocated
    html = signed_in(w.supervisor).get(review_url(performances[0])).content.decode()
    assert "Supervisor or instructor" in html and performances[0].enrollment.user.display_name in html


def test_the_partner_rates_how_cared_for_they_felt(org):
    w = world(org, learners=2)
    performance = perform(w, 0, partner=w.learners[1])
    client = signed_in(w.learners[1])
    html = client.get(review_url(performance)).content.decode()
    assert "How cared for did you feel, as the customer?" in html and "criterion-" not in html
    response = client.post(review_url(performance), {"comments": "Felt heard"})
    assert response.status_code == 400 and 'id="id_cared_for_errors"' in response.content.decode()
    assert not Review.objects.exists()
    assert client.post(review_url(performance), {"cared_for": "5"}).status_code == 302
    assert Review.objects.get().cared_for == 5


def test_calibration_comes_before_peer_reviews(allocated):
    w, performances = allocated
    example = roleplay_reviews.calibration_example_create(scenario=w.scenario, title="A strong call",
                                                          transcript="Agent: <b>great</b> call", expert=w.instructor,
                                                          scores=scores(w.scenario, 3))
    assignment = peer_assignment(performances[0])
    client = signed_in(assignment.reviewer)
    html = client.get(reverse("pages:reviews")).content.decode()
    calibration_url = reverse("pages:review-calibration", args=[example.pk])
    assert f'href="{calibration_url}"' in html
    html = client.get(review_url(performances[0])).content.decode()
    assert "Score the calibration examples of this scenario first." in html and "Submit review" not in html

    page = client.get(calibration_url).content.decode()
    assert "Agent: &lt;b&gt;great&lt;/b&gt; call" in page and "Submit review" in page
    bad = client.post(calibration_url, {})
    assert bad.status_code == 400 and not ReviewerCalibration.objects.exists()
    response = client.post(calibration_url, rubric_post(w.scenario, 3), follow=True)
    assert "Your agreement with the experts so far: 100%." in response.content.decode()
    assert ReviewerCalibration.objects.get(reviewer=assignment.reviewer).examples == 1
    assert "Submit review" in client.get(review_url(performances[0])).content.decode()
    # Scoring it twice is refused without writing.
    client.post(calibration_url, rubric_post(w.scenario, 1))
    assert Review.objects.filter(reviewer=assignment.reviewer).count() == 1


def test_comments_are_escaped_for_the_performer(allocated):
    w, performances = allocated
    assignment = peer_assignment(performances[0])
    signed_in(assignment.reviewer).post(review_url(performances[0]),
                                        rubric_post(w.scenario, comments="<img src=x onerror=alert(1)>"))
    html = signed_in(performances[0].enrollment.user).get(
        reverse("pages:roleplay-result", args=[performances[0].pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_csrf_is_enforced_on_reviews(allocated):
    w, performances = allocated
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(peer_assignment(performances[0]).reviewer)
    assert browser.post(review_url(performances[0]), rubric_post(w.scenario)).status_code == 403
    assert not Review.objects.exists()


def test_portuguese_interface(allocated):
    _w, performances = allocated
    client = signed_in(peer_assignment(performances[0]).reviewer)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    assert "Avaliações que você deve" in client.get(reverse("pages:reviews")).content.decode()
    assert "Enviar avaliação" in client.get(review_url(performances[0])).content.decode()


def test_reviews_list_queries_stay_flat(org, django_assert_max_num_queries):
    w = world(org, learners=8, peer_count=3)
    performances = [perform(w, i) for i in range(8)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=5)
    reviewer = w.supervisor  # owes a supervisor review of each of the eight performances
    for performance in performances[:4]:
        roleplay_reviews.review_submit(performance=performance, reviewer=reviewer, scores=scores(w.scenario, 2))
    client = signed_in(reviewer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("pages:reviews")).content.decode()
    assert html.count("Review the performance sent on ") == 4
    assert html.count("Your review of the performance sent on ") == 4
