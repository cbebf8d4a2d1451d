"""The survey pages: the instrument's rating scales at the activity address, answering once, the reasons a
survey is not open, and the learner's own result afterwards."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments.instruments import services
from assessments.instruments.models import InstrumentResponse, Survey
from assessments.roleplays.errors import RoleplayConflict
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course
from courses.demo_content import EMPATHY_SLUG_EN
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress, Enrollment
from tests import factories as people
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.factories import enroll
from tests.courses.factories import build_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LABELS = {"1": "Never", "2": "Rarely", "3": "Sometimes", "4": "Often", "5": "Always"}


def document(items: int = 4, **changes) -> dict:
    doc = {"format": "empathy-lms/instrument", "version": 1, "slug": f"listening-{items}", "title": "Listening habits",
           "instructions": "Think of your last few weeks at the desk.",
           "scale": {"min": 1, "max": 5, "allow_na": False, "labels": LABELS}, "scoring": "mean", "max_missing": 1,
           "items": [{"key": f"item-{n}", "text": f"Statement number {n}.", "reverse": n == 2,
                      "subscale": "noticing" if n % 2 else "responding"} for n in range(1, items + 1)]}
    doc.update(changes)
    return doc


def surveyed_course(*, items: int = 4, organization=None, **changes) -> tuple[Course, Survey, Survey]:
    """A published course: an optional opening survey, a required lesson, then a closing survey."""
    instrument = services.instrument_import_json(document=document(items, **changes), organization=None)
    course = build_course(publish=False, organization=organization, activities=[{"title": "Read this"}])
    module = course.modules.get()
    before = services.survey_activity_create(module=module, title="How you listen today", instrument=instrument,
                                             timing="before", required=False, position=0)
    after = services.survey_activity_create(module=module, title="How you listen now", instrument=instrument,
                                            timing="after", required=False)
    catalog_services.course_publish(course=course)
    course.refresh_from_db()
    return course, before, after


def page_url(survey: Survey) -> str:
    return reverse("pages:activity", args=[survey.activity.course.slug, survey.activity_id])


def answer_url(survey: Survey) -> str:
    return reverse("pages:survey-answer", args=[survey.activity_id])


def full_answers(survey: Survey, value: str = "4") -> dict[str, str]:
    return {f"item-{item.key}": value for item in survey.instrument.items.all()}



def test_anonymous_visitors_are_sent_to_sign_in(client):
    _course, before, _after = surveyed_course()
    for response in (client.get(page_url(before)), client.post(answer_url(before), full_answers(before))):
        assert response.status_code == 302 and reverse("pages:sign-in") in response["Location"]
    assert not InstrumentResponse.objects.exists()


def test_an_enrolled_learner_sees_the_rating_scales(learner_client):
    course, before, _after = surveyed_course()
    client, _ = learner_client(course)
    response = client.get(page_url(before))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>How you listen today</h1>", html)
    assert "Listening habits" in html and "Think of your last few weeks at the desk." in html
    assert "Open now" in html and "4 statements" in html
    assert f'action="{answer_url(before)}"' in html
    # One fieldset per statement with its text in the legend; one radio per scale point, with the point's label.
    assert html.count('<fieldset class="scale">') == 4 and html.count("<legend>") == 4
    assert re.findall(r'<span class="prompt">(.*?)</span>', html) == [f"Statement number {n}." for n in range(1, 5)]
    assert html.count('type="radio"') == 20
    for point, label in LABELS.items():
        assert f'<span class="point">{point}</span> <span class="scale-label">{label}</span>' in html
    assert re.search(r'<input type="radio" name="item-item-1" value="1"[^>]*id="id_item-item-1_0"', html)
    assert '<button type="submit">Send answers</button>' in html
    assert "Not applicable" not in html  # this instrument does not allow it
    assert "reverse" not in html.lower()  # scoring is the service's business


def test_people_not_enrolled_are_invited_to_enroll_and_cannot_answer(client):
    course, before, _after = surveyed_course()
    client.force_login(UserFactory())
    html = client.get(page_url(before)).content.decode()
    assert "Enroll to answer this survey" in html
    assert f'action="{reverse("pages:course-enroll", args=[course.slug])}"' in html
    assert f'name="next" value="{page_url(before)}"' in html
    assert "Statement number 1." not in html and "Send answers" not in html  # the API shows them nothing either
    response = client.post(answer_url(before), full_answers(before), follow=True)
    assert response.redirect_chain[0] == (page_url(before), 302)
    assert "Enroll in the course to answer this survey." in response.content.decode()
    assert not InstrumentResponse.objects.exists()


def test_a_withdrawn_learner_is_invited_to_enroll_again(learner_client):
    course, before, _after = surveyed_course()
    client, enrollment = learner_client(course)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
    assert "Enroll to answer this survey" in client.get(page_url(before)).content.decode()
    assert client.post(answer_url(before), full_answers(before)).status_code == 302
    assert not InstrumentResponse.objects.exists()


def test_outside_scope_is_404(client, org, other_org):
    _course, before, _after = surveyed_course(organization=org)
    client.force_login(people.member(other_org))
    assert client.get(page_url(before)).status_code == 404
    assert client.post(answer_url(before), full_answers(before)).status_code == 404
    lesson = Activity.objects.get(kind="lesson")
    assert client.post(reverse("pages:survey-answer", args=[lesson.pk]), {}).status_code == 404
    assert not InstrumentResponse.objects.exists()


def test_the_opening_survey_is_answered_once_then_shows_the_result(learner_client):
    course, before, _after = surveyed_course()
    client, enrollment = learner_client(course)
    lesson = Activity.objects.get(course=course, kind="lesson")
    answers = {**full_answers(before), "item-item-1": "5", "item-item-2": "2"}
    response = client.post(answer_url(before), answers)
    # On to the next step of the course, with a thank-you.
    assert response.status_code == 302 and response["Location"] == reverse("pages:activity",
                                                                           args=[course.slug, lesson.pk])
    # (The lesson is drawn by the courses app, which this directory's URLconf leaves out: read the message on
    # the course page.)
    assert "Thank you: your answers are in." in client.get(reverse("pages:course", args=[course.slug])).content.decode()
    stored = InstrumentResponse.objects.get()
    assert stored.answers == {"item-1": 5, "item-2": 2, "item-3": 4, "item-4": 4}
    assert stored.score == Decimal("4.2500")  # item 2 is reverse-scored by the service: 2 -> 4
    progress = ActivityProgress.objects.get(enrollment=enrollment, activity=before.activity)
    assert progress.status == ActivityProgress.Status.PASSED

    html = client.get(page_url(before)).content.decode()
    assert "Thank you for your answers" in html and "Answered" in html
    assert "Send answers" not in html and 'type="radio"' not in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Overall 4.25 Noticing 4.5 Responding 4 Scores run from 1 to 5." in text
    assert "Statement number 1. 5 · Always" in text and "Statement number 2. 2 · Rarely" in text

    again = client.post(answer_url(before), full_answers(before, "1"), follow=True)
    assert again.redirect_chain[0] == (page_url(before), 302)
    assert "You have already answered this survey." in again.content.decode()
    assert InstrumentResponse.objects.count() == 1 and InstrumentResponse.objects.get().score == Decimal("4.2500")


def test_a_conflict_the_service_finds_redirects_with_its_message(learner_client, monkeypatch):
    course, before, _after = surveyed_course()
    client, _ = learner_client(course)

    def answered_meanwhile(**kwargs):  # a second tab's answer landing between the page's check and the write
        raise RoleplayConflict("You have answered this survey.", code="survey_answered")

    monkeypatch.setattr(services, "survey_respond", answered_meanwhile)
    response = client.post(answer_url(before), full_answers(before), follow=True)
    assert response.redirect_chain[0] == (page_url(before), 302)
    assert "You have already answered this survey." in response.content.decode()


def test_the_closing_survey_opens_after_the_required_activities(learner_client):
    course, before, after = surveyed_course()
    client, enrollment = learner_client(course)
    html = client.get(page_url(after)).content.decode()
    assert "Not open" in html and "This survey opens after you finish the required activities of the course." in html
    assert "Send answers" not in html
    response = client.post(answer_url(after), full_answers(after), follow=True)
    assert "This survey opens after you finish the required activities of the course." in response.content.decode()
    assert not InstrumentResponse.objects.exists()

    services.survey_respond(survey=before, enrollment=enrollment,
                            answers={"item-1": 2, "item-2": 4, "item-3": 2, "item-4": 2})
    enrollment_services.lesson_complete(enrollment=enrollment, activity=Activity.objects.get(kind="lesson"))
    assert "Send answers" in client.get(page_url(after)).content.decode()
    response = client.post(answer_url(after), full_answers(after, "5"))
    # Nothing left to do: back to the course.
    assert response.status_code == 302 and response["Location"] == reverse("pages:course", args=[course.slug])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(page_url(after)).content.decode()))
    # Next to the learner's own opening answers (theirs to see at that survey too).
    # Before: 2, 4 (reversed: 2), 2, 2 -> 2; now: 5, 5 (reversed: 1), 5, 5 -> 4.
    assert "Part At the start of the course Now Overall 2 4 " in text


def test_the_opening_survey_closes_once_the_closing_one_is_answered(learner_client):
    course, before, after = surveyed_course()
    client, enrollment = learner_client(course)
    enrollment_services.lesson_complete(enrollment=enrollment, activity=Activity.objects.get(kind="lesson"))
    services.survey_respond(survey=after, enrollment=enrollment, answers={"item-1": 3, "item-2": 3})
    html = client.get(page_url(before)).content.decode()
    assert "It closed when you answered the survey at the end of the course." in html
    assert client.post(answer_url(before), full_answers(before)).status_code == 302
    assert InstrumentResponse.objects.count() == 1
    # The closing answers left two statements out: over the tolerance of one, so no score, and says so.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(page_url(after)).content.decode()))
    assert "Too many statements were left unanswered" in text and "2 statements were not answered" in text
    assert "Statement number 3. Not answered" in text


@pytest.mark.parametrize("change", [
    {"item-item-3": None},  # one statement left out
    {"item-item-3": "9"},  # not a point of the scale
    {"item-item-3": "abc"},
    {"item-item-3": "na"},  # this instrument has no "not applicable"
    {"item-item-3": ["2", "4"]},  # two answers to one statement
])
def test_bad_answers_are_400_with_the_error_on_the_statement_and_nothing_recorded(learner_client, change):
    course, before, _after = surveyed_course()
    client, enrollment = learner_client(course)
    data = full_answers(before)
    data.update(change)
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(answer_url(before), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the error below." in html
    assert html.count('<fieldset class="scale has-error">') == 1
    assert 'id="id_item-item-3_errors"' in html and 'aria-invalid="true"' in html
    assert re.search(r"Choose (an|one of the) answers?|Pick only one answer", html)
    # The learner's other answers are kept in the form.
    assert re.search(r'name="item-item-1" value="4"[^>]*checked', html)
    assert not InstrumentResponse.objects.exists()
    assert not ActivityProgress.objects.filter(enrollment=enrollment).exists()


def test_not_applicable_where_the_instrument_allows_it(learner_client):
    course, before, _after = surveyed_course(scale={"min": 1, "max": 5, "allow_na": True, "labels": LABELS})
    client, _ = learner_client(course)
    html = client.get(page_url(before)).content.decode()
    assert html.count('value="na"') == 4 and "Not applicable" in html
    response = client.post(answer_url(before), {**full_answers(before), "item-item-4": "na"})
    assert response.status_code == 302
    assert InstrumentResponse.objects.get().answers["item-4"] is None
    assert "Statement number 4. Not applicable" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(page_url(before)).content.decode()))


def test_a_summed_instrument_shows_each_part_with_its_own_range(learner_client):
    course, before, _after = surveyed_course(items=3, scoring="sum")
    client, _ = learner_client(course)
    assert client.post(answer_url(before), full_answers(before, "3")).status_code == 302
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(page_url(before)).content.decode()))
    # Three items of 1-5 summed: 3 to 15 overall; two "noticing" items (2 to 10), one "responding" (1 to 5).
    assert "Possible range Overall 9 3 to 15 Noticing 6 2 to 10 Responding 3 1 to 5" in text


def test_csrf_is_enforced():
    course, before, _after = surveyed_course()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(enroll(course).user)
    assert browser.post(answer_url(before), full_answers(before)).status_code == 403
    assert not InstrumentResponse.objects.exists()


def test_portuguese_interface(learner_client):
    course, before, after = surveyed_course()
    client, _ = learner_client(course)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    html = client.get(page_url(before)).content.decode()
    assert "Enviar respostas" in html and "Sobre este questionário" in html and "Afirmação 1 de 4" in html
    assert "Este questionário abre depois que você concluir" in client.get(page_url(after)).content.decode()
    bad = client.post(answer_url(before), {}).content.decode()
    assert "Escolha uma resposta para esta afirmação." in bad
    client.post(answer_url(before), full_answers(before))
    assert "Obrigado pelas suas respostas" in client.get(page_url(before)).content.decode()


def test_user_text_is_escaped(learner_client):
    course, before, _after = surveyed_course()
    before.instrument.items.filter(key="item-1").update(text="<script>alert(1)</script>")
    Activity.objects.filter(pk=before.activity_id).update(title="<b>Bold</b> survey")
    client, _ = learner_client(course)
    html = client.get(page_url(before)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; survey" in html
    client.post(answer_url(before), full_answers(before))
    html = client.get(page_url(before)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_course_managers_see_a_preview_without_the_form(client):
    course, before, _after = surveyed_course()
    instructor = UserFactory()
    course.instructors.add(instructor)
    client.force_login(instructor)
    html = client.get(page_url(before)).content.decode()
    assert "You manage this course." in html and "Statement number 4." in html and "Always" in html
    assert "Send answers" not in html and "Enroll to answer" not in html


def test_a_survey_activity_without_its_survey_says_so(learner_client):
    course = build_course(activities=[{"title": "Survey to come", "kind": "survey", "weight": 0}])
    client, _ = learner_client(course)
    activity = Activity.objects.get(course=course)
    response = client.get(reverse("pages:activity", args=[course.slug, activity.pk]))
    assert response.status_code == 200 and "This survey has no questions yet." in response.content.decode()
    assert client.post(reverse("pages:survey-answer", args=[activity.pk]), {}).status_code == 404


def test_page_queries_do_not_grow_with_the_statements(learner_client, django_assert_max_num_queries):
    course, before, _after = surveyed_course(items=40)
    client, _ = learner_client(course)
    # 16: the survey's own and the lesson player's (course, tags, modules, activities, instructors, enrollment,
    # progress), with the resume pointer written on this first visit
    with django_assert_max_num_queries(16):
        response = client.get(page_url(before))
    assert response.content.decode().count("<fieldset") == 40
    with django_assert_max_num_queries(34):
        assert client.post(answer_url(before), full_answers(before)).status_code == 302
    with django_assert_max_num_queries(16):
        response = client.get(page_url(before))
    assert response.content.decode().count('<th scope="row" class="statement">') == 40


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    settings.ROOT_URLCONF = "lms.urls"  # the real activity address, as the course outline links it


def test_a_new_enrollee_answers_the_demo_opening_survey_through_the_pages(client, demo):
    course = Course.objects.get(slug=EMPATHY_SLUG_EN)
    survey = Survey.objects.get(activity__course=course, timing="before")
    assert survey.activity.title == "Before you start: how you listen today"
    client.force_login(UserFactory())
    enrolled = client.post(reverse("pages:course-enroll", args=[course.slug]), {"next": page_url(survey)})
    assert enrolled.status_code == 302 and enrolled["Location"] == page_url(survey)
    html = client.get(page_url(survey)).content.decode()
    assert "Send answers" in html
    # Pick by the labels a learner reads: "Mostly like me" for every statement.
    picks = dict(re.findall(r'name="(item-[\w-]+)" value="(\d+)"[^>]*>\s*<label[^>]*><span class="point">\d+</span>'
                            r' <span class="scale-label">Mostly like me</span>', html))
    assert len(picks) == survey.instrument.items.count() == 10
    response = client.post(answer_url(survey), picks)
    assert response.status_code == 302
    stored = InstrumentResponse.objects.get(survey=survey, enrollment__user__pk=client.session["_auth_user_id"])
    assert set(stored.answers.values()) == {4} and stored.score is not None
    assert "Thank you for your answers" in client.get(page_url(survey)).content.decode()
    after = Survey.objects.get(activity__course=course, timing="after")
    assert "This survey opens after you finish the required activities" in client.get(page_url(after)).content.decode()
