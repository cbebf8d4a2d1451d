"""The quiz pages: the quiz at its activity address, starting and resuming, submitting, results."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.demo import QUIZZES
from assessments.quizzes.models import Attempt, AttemptAnswer, Question
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from courses.catalog import services as course_services
from courses.demo_content import EMPATHY_SLUG_EN
from courses.enrollments.models import ActivityProgress, Enrollment
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.factories import enroll, quiz_course, right_answers, wrong_answers
from tests.courses.factories import build_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def activity_url(quiz) -> str:
    return reverse("pages:activity", args=[quiz.activity.course.slug, quiz.activity_id])


def form_data(answers: list[dict]) -> dict:
    """The POST a browser sends for these answers (service shape -> form fields)."""
    data = {}
    for answer in answers:
        name = f"question-{answer['question']}"
        data[name] = answer["text"] if "text" in answer else [str(c) for c in answer["choices"]]
    return data



def start(client, quiz) -> Attempt:
    response = client.post(reverse("pages:quiz-start", args=[quiz.activity_id]))
    assert response.status_code == 302 and response["Location"] == activity_url(quiz)
    return Attempt.objects.filter(quiz=quiz).order_by("-id").first()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    _course, quiz = quiz_course(questions=2)
    response = client.get(activity_url(quiz))
    assert response.status_code == 302 and reverse("pages:sign-in") in response["Location"]
    response = client.post(reverse("pages:quiz-start", args=[quiz.activity_id]))
    assert response.status_code == 302 and reverse("pages:sign-in") in response["Location"]
    assert not Attempt.objects.exists()


def test_people_not_enrolled_get_404(client):
    _course, quiz = quiz_course(questions=2)
    client.force_login(UserFactory())
    assert client.get(activity_url(quiz)).status_code == 404
    assert client.post(reverse("pages:quiz-start", args=[quiz.activity_id])).status_code == 404
    assert not Attempt.objects.exists()


def test_overview_before_starting(learner_client):
    course, quiz = quiz_course(questions=3, passing_score=80, max_attempts=2, time_limit_seconds=300)
    client, _ = learner_client(course)
    response = client.get(activity_url(quiz))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1 [^>]*>Check your understanding</h1>", html)
    facts = re.sub(r"\s+", " ", html)
    assert "<dt>Questions</dt><dd>3</dd>" in facts
    assert "<dt>Pass mark</dt><dd>80%</dd>" in facts
    assert "0 of 2 used" in facts and "5 minutes" in facts
    assert '<button type="submit">Start quiz</button>' in html
    assert "Submit answers" not in html


def test_starting_twice_resumes_one_attempt(learner_client):
    course, quiz = quiz_course(questions=3)
    client, enrollment = learner_client(course)
    first = start(client, quiz)
    second = start(client, quiz)
    assert first.pk == second.pk
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1
    html = client.get(activity_url(quiz)).content.decode()
    assert "Start quiz" not in html and "Submit answers" in html
    # The questions come in the attempt's drawn order, as fieldsets with legends and radio buttons.
    prompts = re.findall(r'<span class="prompt">(.*?)</span>', html)
    expected = {q.pk: q.prompt for q in Question.objects.filter(quiz=quiz)}
    assert prompts == [expected[entry["question"]] for entry in first.layout]
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert html.count('type="radio"') == 9


def test_question_kinds_draw_their_inputs(learner_client):
    course, quiz = quiz_course()
    quiz_authoring.question_create(quiz=quiz, kind="multiple_choice", prompt="Pick two",
                                   choices=[{"text": "A", "correct": True}, {"text": "B", "correct": True},
                                      {"text": "C", "correct": False}])
    quiz_authoring.question_create(quiz=quiz, kind="true_false", prompt="Sky is blue", correct=True)
    quiz_authoring.question_create(quiz=quiz, kind="short_text", prompt="One word", accepted_answers=["empathy"])
    client, _ = learner_client(course)
    start(client, quiz)
    html = client.get(activity_url(quiz)).content.decode()
    assert html.count('type="checkbox"') == 3
    assert html.count('type="radio"') == 2
    assert re.search(r'<input type="text" name="question-\d+"', html)
    assert "Choose every answer that applies." in html


def test_timed_attempt_shows_its_deadline(learner_client):
    course, quiz = quiz_course(questions=1, time_limit_seconds=600)
    client, _ = learner_client(course)
    attempt = start(client, quiz)
    html = client.get(activity_url(quiz)).content.decode()
    assert f'data-deadline="{attempt.deadline.isoformat()}"' in html


def test_right_answers_pass_and_record_progress(learner_client):
    course, quiz = quiz_course(questions=3)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    response = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(right_answers(attempt)))
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:quiz-result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", Decimal("100.00"), True)
    progress = ActivityProgress.objects.get(enrollment=enrollment, activity=quiz.activity)
    assert progress.status == ActivityProgress.Status.PASSED
    html = client.get(response["Location"]).content.decode()
    assert "100%" in html and '<span class="badge passed">Passed</span>' in html
    assert "Correct answer" in html  # revealed after submission by default
    # A second click on "Submit answers" changes nothing.
    again = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(wrong_answers(attempt)))
    assert again.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00") and AttemptAnswer.objects.filter(attempt=attempt).count() == 3


def test_wrong_answers_fail_with_feedback_and_a_retry_link(learner_client):
    course, quiz = quiz_course(questions=2, max_attempts=2)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(wrong_answers(attempt)))
    html = client.get(reverse("pages:quiz-result", args=[attempt.pk])).content.decode()
    assert "Not passed" in html and "Try the quiz again" in html and "Not correct" in html
    assert ActivityProgress.objects.get(enrollment=enrollment).status == ActivityProgress.Status.FAILED


@pytest.mark.parametrize("breakage", ["missing", "foreign_choice", "not_a_number", "two_for_single"])
def test_bad_answers_show_errors_with_400_and_submit_nothing(learner_client, breakage):
    course, quiz = quiz_course(questions=2)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    data = form_data(right_answers(attempt))
    first = f"question-{attempt.layout[0]['question']}"
    if breakage == "missing":
        del data[first]
    elif breakage == "foreign_choice":
        data[first] = [str(attempt.layout[1]["choices"][0])]
    elif breakage == "not_a_number":
        data[first] = ["first"]
    else:
        data[first] = [str(c) for c in attempt.layout[0]["choices"][:2]]
    response = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and f'id="id_{first}_errors"' in html
    assert re.search(rf'<input[^>]*name="{first}"[^>]*aria-invalid="true"', html) or \
        re.search(rf'<input[^>]*aria-invalid="true"[^>]*name="{first}"', html)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not AttemptAnswer.objects.exists() and not ActivityProgress.objects.filter(enrollment=enrollment).exists()
    # The other answer the learner picked is still ticked.
    second = attempt.layout[1]
    assert re.search(rf'<input type="radio" name="question-{second["question"]}" value="\d+"[^>]*checked', html)


def test_an_expired_attempt_is_not_submitted(learner_client):
    course, quiz = quiz_course(questions=1, time_limit_seconds=60, max_attempts=1)
    client, _enrollment = learner_client(course)
    attempt = start(client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(right_answers(attempt)),
                           follow=True)
    assert response.redirect_chain[-1][0] == activity_url(quiz)
    html = response.content.decode()
    assert "The time limit of this attempt has passed" in html
    assert "Time ran out" in html and "You have used every attempt at this quiz." in html
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and not AttemptAnswer.objects.exists()


def test_attempts_used_up_cannot_start(learner_client):
    course, quiz = quiz_course(questions=1, max_attempts=1)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(wrong_answers(attempt)))
    response = client.post(reverse("pages:quiz-start", args=[quiz.activity_id]), follow=True)
    assert "You have used every attempt at this quiz." in response.content.decode()
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1


def test_results_are_the_owners_and_staffs_only(learner_client):
    instructor = UserFactory()
    course, quiz = quiz_course(questions=1, instructor=instructor)
    course.instructors.add(instructor)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(right_answers(attempt)))
    url = reverse("pages:quiz-result", args=[attempt.pk])
    assert client.get(url).status_code == 200

    classmate = Client()
    classmate.force_login(enroll(course).user)
    assert classmate.get(url).status_code == 404
    assert classmate.post(reverse("pages:quiz-submit", args=[attempt.pk]), {}).status_code == 404
    staff = Client()
    staff.force_login(instructor)
    response = staff.get(url)
    assert response.status_code == 200 and enrollment.user.display_name in response.content.decode()
    assert Client().get(url).status_code == 302  # anonymous: sign in


def test_open_attempt_result_link_leads_back_to_the_questions(learner_client):
    course, quiz = quiz_course(questions=1)
    client, _ = learner_client(course)
    attempt = start(client, quiz)
    response = client.get(reverse("pages:quiz-result", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"] == activity_url(quiz)


def test_result_links_to_the_next_activity(learner_client):
    course = build_course(activities=[{"title": "Intro"}], publish=False)
    quiz = quiz_authoring.quiz_activity_create(module=course.modules.get(), title="Check")
    quiz_authoring.question_create(quiz=quiz, kind="true_false", prompt="Yes?", correct=True)
    course_services.activity_create(module=course.modules.get(), title="Wrap-up lesson",
                                    lesson={"content_type": "article", "body": "The end."})
    course_services.course_publish(course=course)
    client, _ = learner_client(course)
    attempt = start(client, quiz)
    client.post(reverse("pages:quiz-submit", args=[attempt.pk]), form_data(right_answers(attempt)))
    html = client.get(reverse("pages:quiz-result", args=[attempt.pk])).content.decode()
    intro = course.modules.get().activities.get(title="Intro")
    assert f'href="{reverse("pages:activity", args=[course.slug, intro.pk])}"' in html
    assert "Next: Intro" in html and f'href="{reverse("pages:course", args=[course.slug])}"' in html


def _answers_by_text(attempt: Attempt, spec: list[dict]) -> dict:
    """The demo's right answers, picked by their texts the way a learner reads them on the page."""
    by_prompt = {q["prompt"]: q for q in spec}
    data = {}
    questions = Question.objects.filter(pk__in=[e["question"] for e in attempt.layout]).prefetch_related("choices")
    for question in questions:
        source = by_prompt[question.prompt]
        if question.kind == Question.Kind.SHORT_TEXT:
            data[f"question-{question.pk}"] = source["accepted_answers"][0]
        else:
            right = {c["text"] for c in source["choices"] if c["correct"]}
            data[f"question-{question.pk}"] = [str(c.pk) for c in question.choices.all() if c.text in right]
    return data


def test_the_demo_quiz_passes_through_the_pages(learner_client):
    _module, title, settings, spec = QUIZZES[EMPATHY_SLUG_EN][0]
    course = build_course(publish=False)
    quiz = quiz_authoring.quiz_activity_create(module=course.modules.get(), title=title, passing_score=70, **settings)
    for question in spec:
        quiz_authoring.question_create(quiz=quiz, **question)
    course_services.course_publish(course=course)
    client, enrollment = learner_client(course)
    attempt = start(client, quiz)
    response = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), _answers_by_text(attempt, spec))
    assert response.status_code == 302
    progress = ActivityProgress.objects.get(enrollment=enrollment, activity=quiz.activity)
    assert (progress.status, progress.score) == (ActivityProgress.Status.PASSED, Decimal("100.00"))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_question_text_is_escaped(learner_client):
    course, quiz = quiz_course()
    quiz_authoring.question_create(quiz=quiz, kind="single_choice", prompt="<script>alert(1)</script>",
                             choices=[{"text": "<b>bold</b>", "correct": True}, {"text": "plain", "correct": False}])
    client, _ = learner_client(course)
    start(client, quiz)
    html = client.get(activity_url(quiz)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_csrf_is_enforced_on_start():
    course, quiz = quiz_course(questions=1)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(enroll(course).user)
    assert browser.post(reverse("pages:quiz-start", args=[quiz.activity_id])).status_code == 403
    assert not Attempt.objects.exists()


def test_portuguese_interface(learner_client):
    course, quiz = quiz_course(questions=1)
    client, _ = learner_client(course)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    html = client.get(activity_url(quiz)).content.decode()
    assert "Iniciar questionário" in html and "Nota mínima" in html
    start(client, quiz)
    assert "Enviar respostas" in client.get(activity_url(quiz)).content.decode()


def test_quiz_page_queries_do_not_grow_with_attempts(learner_client, django_assert_max_num_queries):
    course, quiz = quiz_course(questions=2)
    client, enrollment = learner_client(course)
    for _ in range(15):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
        quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    # 18: the quiz's own, and the lesson player's (course, tags, modules, activities, instructors, enrollment,
    # progress) with the resume pointer written on this first visit
    with django_assert_max_num_queries(18):
        response = client.get(activity_url(quiz))
    assert response.content.decode().count("Results of attempt") == 15
