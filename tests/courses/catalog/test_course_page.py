"""The course page: outline, progress, Continue, enrolling, rating, related courses, translations, sharing."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.catalog import services as catalog_services
from courses.catalog.models import Course
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.ratings.models import Rating
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import CategoryFactory, CourseFactory, build_course, words

pytestmark = pytest.mark.django_db


def page_url(course) -> str:
    return reverse("pages:course", args=[course.slug])


def enroll_url(course) -> str:
    return reverse("pages:course-enroll", args=[course.slug])


def test_anonymous_visitor_sees_the_course_and_a_sign_in_link_back(course, steps):
    response = browser().get(page_url(course))
    assert response.status_code == 200
    html = main_html(response)
    assert "<h1>Listening Well</h1>" in html and html.count("<h1") == 1
    assert f'href="/sign-in/?next={page_url(course)}"' in html
    assert ">Enroll</button>" not in html
    # Modules and their activities in course order, with kind, time and required/optional.
    positions = [html.index(step.title) for step in steps]
    assert positions == sorted(positions)
    assert "Lesson (article)" in html and "Lesson (video)" in html and "Quiz" in html
    assert "Optional" in html and "Required" in html
    for step in steps:
        assert f'href="{reverse("pages:activity", args=[course.slug, step.pk])}"' in html
    assert "Course progress" not in html and "Done" not in html


def test_meta_description_and_hours(course):
    catalog_services.course_update(course=course, description="We **listen**.\n\n<script>alert(1)</script>")
    Course.objects.filter(pk=course.pk).update(hours_credited=1.5)
    html = main_html(browser().get(page_url(course)))
    assert "<strong>listen</strong>" in html and "<script>alert(1)" not in html
    assert "Estimated time:" in html and "Hours credited on the certificate: 1.5" in html
    assert "Rating: No ratings yet" in html


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_courses_outside_scope_are_404(org, who):
    draft = CourseFactory(status=Course.Status.DRAFT)
    private = CourseFactory(organization=people.OrganizationFactory())
    client = browser(people.member(org) if who == "member" else None)
    assert client.get(page_url(draft)).status_code == 404
    assert client.get(page_url(private)).status_code == 404
    assert client.get("/courses/no-such-course/").status_code == 404


def test_enroll_then_continue(course, steps, learner):
    client = browser(learner)
    response = client.post(enroll_url(course))
    assert response.status_code == 302 and response["Location"] == page_url(course)
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.status == Enrollment.Status.ACTIVE
    html = main_html(client.get(page_url(course)))
    assert "You are enrolled." in html
    assert '<progress id="course-progress" max="100" value="0">' in html and "0% complete" in html
    continue_link = reverse("pages:activity", args=[course.slug, steps[0].pk])
    assert re.search(rf'<a class="button" href="{continue_link}"[^>]*>Continue</a>', html)
    assert "Not started" in html


def test_enrolling_twice_is_harmless(course, learner):
    client = browser(learner)
    client.post(enroll_url(course))
    before = Enrollment.objects.get(user=learner, course=course)
    response = client.post(enroll_url(course), follow=True)
    assert response.status_code == 200
    assert "You were already enrolled in this course." in main_html(response)
    after = Enrollment.objects.get(user=learner, course=course)
    assert (after.pk, after.enrolled_at, after.status) == (before.pk, before.enrolled_at, before.status)


def test_enroll_returns_to_the_lesson_it_came_from_but_never_off_the_course(course, steps, learner):
    client = browser(learner)
    lesson = reverse("pages:activity", args=[course.slug, steps[0].pk])
    assert client.post(enroll_url(course), {"next": lesson})["Location"] == lesson
    for elsewhere in ("https://evil.example/", "//evil.example/courses/", "/my/"):
        assert client.post(enroll_url(course), {"next": elsewhere})["Location"] == page_url(course)


def test_anonymous_enroll_goes_to_sign_in_and_writes_nothing(course):
    response = browser().post(enroll_url(course))
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={page_url(course)}"
    assert not Enrollment.objects.exists()


def test_enroll_is_post_only(course, learner):
    assert browser(learner).get(enroll_url(course)).status_code == 405
    assert not Enrollment.objects.exists()


def test_enroll_needs_the_csrf_token(course, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(enroll_url(course)).status_code == 403
    assert not Enrollment.objects.exists()


def test_enroll_outside_scope_is_404_and_writes_nothing(org, learner):
    private = CourseFactory(organization=people.OrganizationFactory())
    assert browser(learner).post(enroll_url(private)).status_code == 404
    assert browser(learner).post("/courses/nope/enroll/").status_code == 404
    assert not Enrollment.objects.exists()


def test_a_draft_cannot_be_enrolled_even_by_its_instructor(org):
    instructor = people.member(org, "instructor")
    draft = build_course(created_by=instructor, publish=False, activities=[{"title": "One"}])
    response = browser(instructor).post(enroll_url(draft), follow=True)
    assert response.status_code == 200
    assert "This course is not open for enrollment." in main_html(response)
    assert not Enrollment.objects.exists()


def test_withdrawn_learner_enrolls_again_and_keeps_progress(course, steps, learner, enrolled):
    enrollment_services.lesson_complete(enrollment=enrolled, activity=steps[0])
    enrollment_services.enrollment_withdraw(enrollment=enrolled)
    client = browser(learner)
    html = main_html(client.get(page_url(course)))
    assert "You withdrew from this course." in html and ">Enroll</button>" in html
    assert "Continue" not in html
    client.post(enroll_url(course))
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.ACTIVE and enrolled.progress_percent > 0
    html = main_html(client.get(page_url(course)))
    assert f"{enrolled.progress_percent}% complete" in html
    assert re.search(rf'href="{reverse("pages:activity", args=[course.slug, steps[1].pk])}"[^>]*>Continue<', html)


def withdraw_url(course) -> str:
    return reverse("pages:course-withdraw", args=[course.slug])


def test_a_learner_leaves_a_course_from_its_page_and_comes_back_to_the_same_progress(course, steps, learner,
                                                                                      enrolled):
    enrollment_services.lesson_complete(enrollment=enrolled, activity=steps[0])
    client = browser(learner)
    html = main_html(client.get(page_url(course)))
    assert 'data-confirm="Leave this course? Your progress is kept if you enroll again."' in html
    response = client.post(withdraw_url(course), follow=True)
    assert response.status_code == 200
    html = main_html(response)
    assert "You left the course. Your progress is kept if you enroll again." in html
    assert "You withdrew from this course." in html and ">Enroll</button>" in html and "Leave the course" not in html
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.WITHDRAWN
    client.post(enroll_url(course))
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.ACTIVE and enrolled.progress_percent > 0


def test_leaving_needs_an_enrollment_in_progress_and_writes_nothing_otherwise(course, steps, learner, enrolled):
    stranger = people.member(people.OrganizationFactory())
    html = main_html(browser(stranger).post(withdraw_url(course), follow=True))
    assert "You are not enrolled in this course." in html and not Enrollment.objects.filter(user=stranger).exists()
    for step in steps:
        enrollment_services.activity_record_result(enrollment=enrolled, activity=step, passed=True, score=90)
    html = main_html(browser(learner).post(withdraw_url(course), follow=True))
    assert "Only a course in progress can be left." in html and "Leave the course" not in html
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.COMPLETED


def test_leaving_is_a_post_with_csrf_and_needs_sign_in(course, learner, enrolled):
    assert browser(learner).get(withdraw_url(course)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(withdraw_url(course)).status_code == 403
    response = browser().post(withdraw_url(course))
    assert response.status_code == 302 and response["Location"] == f"/sign-in/?next={page_url(course)}"
    assert browser(learner).post("/courses/nope/withdraw/").status_code == 404
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.ACTIVE


def test_completed_course_shows_completed_and_done_states(course, steps, learner, enrolled):
    for step in steps:
        enrollment_services.activity_record_result(enrollment=enrolled, activity=step, passed=True, score=90)
    html = main_html(browser(learner).get(page_url(course)))
    assert "You have completed this course." in html and "100% complete" in html
    assert html.count(">Done<") == len(steps)
    assert ">Continue<" not in html


def test_related_courses_and_translations(course):
    category = CategoryFactory(slug="service", name="Service")
    Course.objects.filter(pk=course.pk).update(category=category)
    CourseFactory(title="Escutar bem", language="pt-BR", translation_of=course)
    CourseFactory(title="Calm voices", category=category)
    CourseFactory(title="Unrelated")
    CourseFactory(title="Hidden draft", category=category, status=Course.Status.DRAFT)
    html = main_html(browser().get(page_url(course)))
    translations = html[html.index("Also available in"):html.index("Related courses")]
    assert "Escutar bem" in translations and 'hreflang="pt-BR"' in translations
    related = html[html.index("Related courses"):]
    assert "Calm voices" in related and "Unrelated" not in related and "Hidden draft" not in html


def test_a_translation_links_back_to_the_original_and_its_siblings(course):
    pt = CourseFactory(title="Escutar bem", language="pt-BR", translation_of=course)
    CourseFactory(title="Bien escuchar", language="es", translation_of=course)
    html = main_html(browser().get(page_url(pt)))
    assert "Listening Well" in html and "Bien escuchar" in html


def test_share_links(course, settings):
    settings.SITE_URL = "https://learn.example.com"
    html = main_html(browser().get(page_url(course)))
    url = quote("https://learn.example.com/courses/" + course.slug + "/", safe="")
    assert f'href="https://www.linkedin.com/sharing/share-offsite/?url={url}"' in html
    assert 'href="https://x.com/intent/post?' in html and 'href="https://www.facebook.com/sharer/' in html
    assert 'href="mailto:?subject=Listening%20Well' in html
    assert f'href="https://wa.me/?text=Listening+Well+{url}"' in html and "Share on WhatsApp" in html
    assert f'data-copy="https://learn.example.com/courses/{course.slug}/"' in html and "Copy the link" in html


def test_user_text_is_escaped(org):
    course = build_course(title='<script>alert("t")</script>Calm', activities=[{"title": "<b>Step</b>"}])
    Course.objects.filter(pk=course.pk).update(summary="<img src=x onerror=alert(1)>")
    course.modules.update(title="<i>Module</i>")
    html = browser().get(page_url(course)).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>Step</b>" not in html and "<i>Module</i>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;Calm" in html


def test_portuguese_interface(course, learner, enrolled):
    client = portuguese(browser(learner))
    html = main_html(client.get(page_url(course)))
    assert "Seu progresso" in html and "Conteúdo do curso" in html and ">Continuar</a>" in html
    assert "Compartilhar no LinkedIn" in html and "Obrigatória" in html and "0% concluído" in html
    html = main_html(portuguese(browser()).get(page_url(course)))
    assert "Entre para se inscrever" in html


# --- ratings ----------------------------------------------------------------------------------

def rate_url(course) -> str:
    return reverse("pages:course-rate", args=[course.slug])


@pytest.fixture
def finished(course, steps, enrolled):
    for step in steps:
        enrollment_services.activity_record_result(enrollment=enrolled, activity=step, passed=True, score=100)
    return enrolled


def test_a_learner_who_finished_rates_and_updates(course, learner, finished):
    client = browser(learner)
    assert "Rate this course" in main_html(client.get(page_url(course)))
    response = client.post(rate_url(course), {"stars": "4", "review": "Clear and kind."}, follow=True)
    assert "Thank you for rating this course." in main_html(response)
    assert "4.0 out of 5 (1 rating)" in main_html(response)
    client.post(rate_url(course), {"stars": "5"})
    rating = Rating.objects.get(user=learner, course=course)
    assert (rating.stars, rating.review) == (5, "")
    course.refresh_from_db()
    assert (course.rating_average, course.rating_count) == (5, 1)
    assert "Update my rating" in main_html(client.get(page_url(course)))


@pytest.mark.parametrize("data", [{}, {"stars": "0"}, {"stars": "6"}, {"stars": "four"},
                                  {"stars": "3", "review": "x" * 2001}])
def test_bad_ratings_answer_400_and_write_nothing(course, learner, finished, data):
    response = browser(learner).post(rate_url(course), data)
    assert response.status_code == 400
    html = main_html(response)
    assert 'role="alert"' in html and 'class="errors"' in html
    assert not Rating.objects.exists()


def test_learners_who_have_not_got_far_enough_cannot_rate(course, learner, enrolled):
    client = browser(learner)
    assert "Rate this course" not in main_html(client.get(page_url(course)))
    response = client.post(rate_url(course), {"stars": "5"}, follow=True)
    assert "You can rate a course once you have completed it" in main_html(response)
    assert browser().post(rate_url(course), {"stars": "5"}).status_code == 302  # to sign in
    assert not Rating.objects.exists()


# --- query counts -----------------------------------------------------------------------------

def _grow(course, modules: int) -> None:
    for n in range(modules):
        module = catalog_services.module_create(course=course, title=f"Extra {n}")
        for kind in ("lesson", "quiz", "lesson"):
            lesson = {"content_type": "article", "body": words(30)} if kind == "lesson" else None
            catalog_services.activity_create(module=module, title=f"{kind} {n}", kind=kind, lesson=lesson)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# session, user, roles, course, tags, cover sizes, modules, activities (+lesson), instructors, enrollment,
# progress, related (courses, tags), translations, the learner's rating; the ratings section's distribution,
# latest reviews and whether the reader moderates them
MAX_COURSE_PAGE_QUERIES = 19  # 18, plus the latest announcements addressed to the learner


def test_course_page_query_count_does_not_grow_with_the_outline(course, learner, finished,
                                                                django_assert_max_num_queries):
    category = CategoryFactory(slug="service")
    Course.objects.filter(pk=course.pk).update(category=category)
    for n in range(3):
        CourseFactory(title=f"Related {n}", category=category)
    client = browser(learner)
    _grow(course, 2)
    small = _queries(client, page_url(course))
    _grow(course, 4)
    large = _queries(client, page_url(course))
    assert small == large
    with django_assert_max_num_queries(MAX_COURSE_PAGE_QUERIES):
        client.get(page_url(course))
