"""Reviews: the distribution, reporting a review, and the staff hiding and showing it again, through the
services, the API and the pages, with who may do what."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.catalog.models import Course
from courses.errors import CoursesError
from courses.ratings import services as rating_services
from courses.ratings.models import Rating, RatingFlag
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import build_course
from tests.courses.ratings.test_services_and_api import learner_at
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

API = "/api/v1/courses/four-steps/ratings/"


@pytest.fixture
def course(org):
    instructor = people.member(org, "instructor")
    course = build_course(slug="four-steps", title="Four steps", organization=org, created_by=instructor,
                          activities=[{"title": f"Step {n}"} for n in range(1, 5)])
    course.teacher = instructor
    return course


def rate(course, org, stars: int, review: str = "", **names) -> Rating:
    learner = learner_at(course, org, 4)
    if names:
        type(learner).objects.filter(pk=learner.pk).update(**names)
        learner.refresh_from_db()
    rating, _ = rating_services.rating_upsert(user=learner, course=course, stars=stars, review=review)
    return rating


def _stats(course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    return course.rating_average, course.rating_count


# --- services ----------------------------------------------------------------------------------

def test_a_hidden_rating_leaves_the_average_and_comes_back_when_shown(course, org):
    rate(course, org, 5)
    spam = rate(course, org, 1, "Buy cheap watches at example.com")
    assert _stats(course) == (Decimal("3.00"), 2)
    rating_services.rating_hide(rating=spam, actor=course.teacher, reason="Advertising")
    assert _stats(course) == (Decimal("5.00"), 1)
    spam.refresh_from_db()
    assert (spam.is_hidden, spam.hidden_by, spam.hidden_reason) == (True, course.teacher, "Advertising")
    rating_services.rating_unhide(rating=spam, actor=course.teacher)
    assert _stats(course) == (Decimal("3.00"), 2)


def test_reporting_is_once_per_person_and_counted(course, org):
    rating = rate(course, org, 2, "Too slow.")
    reporter = learner_at(course, org, 1)
    flag, created = rating_services.rating_flag(rating=rating, user=reporter, reason="offensive")
    assert created
    flag, created = rating_services.rating_flag(rating=rating, user=reporter, reason="spam", note=" again ")
    assert not created and (flag.reason, flag.note) == ("spam", "again")
    rating_services.rating_flag(rating=rating, user=learner_at(course, org, 1), reason="other")
    rating.refresh_from_db()
    assert rating.flag_count == 2 and RatingFlag.objects.count() == 2


@pytest.mark.parametrize(("fields", "code"), [({"reason": "rude"}, "invalid_flag_reason"),
                                              ({"reason": "spam", "note": "x" * 501}, "invalid")])
def test_bad_reports_are_refused_and_write_nothing(course, org, fields, code):
    rating = rate(course, org, 2, "Meh.")
    with pytest.raises(CoursesError) as raised:
        rating_services.rating_flag(rating=rating, user=learner_at(course, org, 1), **fields)
    assert raised.value.code == code
    assert not RatingFlag.objects.exists()


def test_nobody_reports_their_own_review(course, org):
    rating = rate(course, org, 2, "Meh.")
    with pytest.raises(CoursesError) as raised:
        rating_services.rating_flag(rating=rating, user=rating.user, reason="spam")
    assert (raised.value.code, raised.value.status_code) == ("cannot_flag_own_review", 409)


def test_hiding_needs_a_reason(course, org):
    rating = rate(course, org, 2, "Meh.")
    for reason in ("", "   ", "x" * 201):
        with pytest.raises(CoursesError):
            rating_services.rating_hide(rating=rating, actor=course.teacher, reason=reason)
    rating.refresh_from_db()
    assert not rating.is_hidden


def test_reviews_are_signed_with_a_first_name_and_initial_never_the_email(course, org):
    named = rate(course, org, 4, "Good.", first_name="Maria", last_name="Souza")
    anonymous = rate(course, org, 4, "Fine.", first_name="", last_name="")
    assert named.reviewer_name == "Maria S."
    assert anonymous.reviewer_name == "A learner" and "@" not in anonymous.reviewer_name


# --- API -------------------------------------------------------------------------------------------

def test_the_list_and_summary_leave_hidden_ratings_out(client_for, course, org):
    rate(course, org, 5, "Great.")
    rate(course, org, 4)
    hidden = rate(course, org, 1, "Spam.")
    rating_services.rating_hide(rating=hidden, actor=course.teacher, reason="Spam")
    client = client_for(people.member(org))
    rows = client.get(API).json()["results"]
    assert sorted(row["stars"] for row in rows) == [4, 5] and all("@" not in row["learner"] for row in rows)
    summary = client.get(API + "summary/").json()
    assert summary["count"] == 2 and summary["average"] == "4.50"
    assert summary["distribution"] == [{"stars": 5, "count": 1, "percent": 50}, {"stars": 4, "count": 1, "percent": 50},
                                       {"stars": 3, "count": 0, "percent": 0}, {"stars": 2, "count": 0, "percent": 0},
                                       {"stars": 1, "count": 0, "percent": 0}]


def test_reporting_through_the_api(client_for, course, org):
    rating = rate(course, org, 2, "Meh.")
    client = client_for(learner_at(course, org, 1))
    response = client.post(f"{API}{rating.pk}/flag/", {"reason": "off_topic"}, format="json")
    assert response.status_code == 201 and response.json() == {"rating": rating.pk, "reason": "off_topic", "note": ""}
    assert client.post(f"{API}{rating.pk}/flag/", {"reason": "spam"}, format="json").status_code == 200
    assert_error(client.post(f"{API}{rating.pk}/flag/", {"reason": "nope"}, format="json"), 400, "invalid")
    assert_error(client_for(rating.user).post(f"{API}{rating.pk}/flag/", {"reason": "spam"}, format="json"), 409,
                 "cannot_flag_own_review")


def test_a_hidden_or_foreign_rating_cannot_be_reported(client_for, course, org, other_org):
    rating = rate(course, org, 2, "Meh.")
    other = build_course(slug="elsewhere", activities=[{"title": "One"}])
    client = client_for(learner_at(course, org, 1))
    assert client.post(f"/api/v1/courses/elsewhere/ratings/{rating.pk}/flag/", {"reason": "spam"},
                       format="json").status_code == 404
    rating_services.rating_hide(rating=rating, actor=course.teacher, reason="x")
    assert client.post(f"{API}{rating.pk}/flag/", {"reason": "spam"}, format="json").status_code == 404
    outsider = client_for(people.member(other_org))  # cannot see the organization's course at all
    assert outsider.post(f"{API}{rating.pk}/flag/", {"reason": "spam"}, format="json").status_code == 404
    assert other.pk and not RatingFlag.objects.exists()


def test_only_the_courses_staff_moderate(client_for, course, org, other_org):
    rating = rate(course, org, 1, "Spam.")
    rating_services.rating_flag(rating=rating, user=learner_at(course, org, 1), reason="spam")
    learner = client_for(people.member(org))
    assert_error(learner.get(API + "moderation/"), 403, "permission_denied")
    assert_error(learner.post(f"{API}{rating.pk}/hide/", {"reason": "Spam"}, format="json"), 403, "permission_denied")
    assert client_for(people.member(org, "hr")).post(f"{API}{rating.pk}/hide/", {"reason": "x"},
                                                     format="json").status_code == 403
    assert client_for(people.member(other_org, "org_admin")).get(API + "moderation/").status_code == 404
    rating.refresh_from_db()
    assert not rating.is_hidden

    staff = client_for(course.teacher)
    listed = staff.get(API + "moderation/?flagged=true").json()["results"]
    assert [(row["id"], row["flag_count"], row["hidden"]) for row in listed] == [(rating.pk, 1, False)]
    assert_error(staff.post(f"{API}{rating.pk}/hide/", {"reason": ""}, format="json"), 422, "invalid")
    hidden = staff.post(f"{API}{rating.pk}/hide/", {"reason": "Advertising"}, format="json").json()
    assert (hidden["hidden"], hidden["hidden_reason"]) == (True, "Advertising")
    admin = client_for(people.member(org, "org_admin"))
    assert admin.post(f"{API}{rating.pk}/unhide/").json()["hidden"] is False


def test_the_moderation_list_costs_the_same_queries_for_more_ratings(client_for, course, org):
    staff = client_for(course.teacher)
    for n in range(2):
        rate(course, org, 3, f"Review {n}")
    staff.get(API + "moderation/")  # the caller's memberships, cached on the user for the next requests
    with CaptureQueriesContext(connection) as few:
        assert staff.get(API + "moderation/").status_code == 200
    for n in range(2, 12):
        rating_services.rating_hide(rating=rate(course, org, 3, f"Review {n}"), actor=course.teacher, reason="x")
    with CaptureQueriesContext(connection) as many:
        assert len(staff.get(API + "moderation/").json()["results"]) == 12
    assert len(many) == len(few)


# --- pages -----------------------------------------------------------------------------------------

def page(course, **query) -> str:
    url = reverse("pages:course-reviews", args=[course.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_course_page_shows_the_distribution_and_the_latest_reviews(course, org):
    rate(course, org, 5, "Clear and kind.", first_name="Ana", last_name="Lima")
    rate(course, org, 3)
    html = main_html(browser(people.member(org)).get(reverse("pages:course", args=[course.slug])))
    assert "Ratings and reviews" in html and "Clear and kind." in html and "by Ana L." in html
    assert "5 stars" in html and "50%" in html and "All reviews" in html and "Moderate reviews" not in html
    staff_html = main_html(browser(course.teacher).get(reverse("pages:course", args=[course.slug])))
    assert "Moderate reviews" in staff_html


def test_the_course_and_reviews_pages_cost_the_same_queries_for_more_reviews(course, org):
    rate(course, org, 5, "One.")
    client = browser(people.member(org))
    urls = [reverse("pages:course", args=[course.slug]), page(course)]
    for url in urls:
        client.get(url)  # warm the caller's cached memberships
    before = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before.append(len(queries))
    for n in range(8):
        rate(course, org, 1 + n % 5, f"Review {n}", first_name=f"P{n}", last_name="Q")
    after = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        after.append(len(queries))
    assert after == before


def test_a_learner_reports_a_review_from_the_reviews_page(course, org):
    rating = rate(course, org, 1, "Terrible, call 555-0100 for a refund")
    reporter = learner_at(course, org, 1)
    client = browser(reporter)
    html = main_html(client.get(page(course)))
    assert "Report this review" in html and "Terrible" in html
    prefix = f"r{rating.pk}"
    bad = client.post(reverse("pages:review-report", args=[course.slug, rating.pk]), {f"{prefix}-reason": "x"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in main_html(bad)
    assert not RatingFlag.objects.exists()
    done = client.post(reverse("pages:review-report", args=[course.slug, rating.pk]),
                       {f"{prefix}-reason": "personal_data", f"{prefix}-note": "A phone number"}, follow=True)
    assert "The course&#x27;s staff will look at this review." in main_html(done)
    assert "You reported this review." in main_html(done)
    assert RatingFlag.objects.get().reason == "personal_data"


def test_the_staff_hide_and_show_a_review_from_the_page(course, org):
    rating = rate(course, org, 1, "Spam spam spam")
    client = browser(course.teacher)
    html = main_html(client.get(page(course, view="moderation")))
    assert "Hide this rating" in html
    url = reverse("pages:review-hide", args=[course.slug, rating.pk])
    assert client.post(url, {f"r{rating.pk}-reason": ""}).status_code == 400
    done = main_html(client.post(url, {f"r{rating.pk}-reason": "Advertising"}, follow=True))
    assert "The review is hidden." in done and "Reason: Advertising" in done and "Show it again" in done
    assert "Spam spam spam" not in main_html(browser(people.member(org)).get(page(course)))
    client.post(reverse("pages:review-show", args=[course.slug, rating.pk]))
    assert "Spam spam spam" in main_html(browser(people.member(org)).get(page(course)))


def test_learners_get_no_moderation_and_cannot_post_it(course, org):
    rating = rate(course, org, 1, "Spam")
    client = browser(people.member(org))
    html = main_html(client.get(page(course, view="moderation")))
    assert "Hide this rating" not in html and "Every rating" not in html
    assert client.post(reverse("pages:review-hide", args=[course.slug, rating.pk]),
                       {f"r{rating.pk}-reason": "x"}).status_code == 403
    assert browser().post(reverse("pages:review-report", args=[course.slug, rating.pk])).status_code == 302
    rating.refresh_from_db()
    assert not rating.is_hidden


def test_the_reviews_page_speaks_portuguese(course, org):
    rate(course, org, 4, "Muito bom.")
    html = main_html(portuguese(browser(learner_at(course, org, 1))).get(page(course)))
    assert "Denunciar esta avaliação" in html and "4 estrelas de 5" in html and "Avaliações" in html


def test_the_admin_hides_and_shows_through_the_services(course, org):
    rate(course, org, 5)
    rating = rate(course, org, 1, "Spam")
    rating_services.rating_flag(rating=rating, user=learner_at(course, org, 1), reason="spam")
    admin = Client()
    admin.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    changelist = admin.get("/admin/courses/rating/")
    assert changelist.status_code == 200 and "Spam" in admin.get(f"/admin/courses/rating/{rating.pk}/change/"
                                                                 ).content.decode()
    admin.post("/admin/courses/rating/", {"action": "hide", "_selected_action": [rating.pk]})
    assert _stats(course) == (Decimal("5.00"), 1)
    admin.post("/admin/courses/rating/", {"action": "show_again", "_selected_action": [rating.pk]})
    assert _stats(course) == (Decimal("3.00"), 2)
