"""Quizzes, role-plays and surveys in the lesson player: the course outline beside them with the current one
marked, previous and next, the progress bar and the same header item, on their pages and on their result pages
and forms sent back with errors (courses.catalog.pages.player)."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.quizzes.models import Attempt
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from courses.catalog import services as catalog_services
from tests.assessments.factories import add_single_choice, right_answers
from tests.assessments.instruments.test_pages import answer_url, page_url, surveyed_course
from tests.assessments.roleplays.factories import perform, world
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db


def activity_url(activity) -> str:
    return reverse("pages:activity", args=[activity.course.slug, activity.pk])


def assert_in_player(response, activity, *, previous=None, following=None) -> str:
    html = response.content.decode()
    outline = re.search(r'<details class="player-outline".*?</details>', html, re.S)
    assert outline, "no course outline"
    current = re.findall(r'<a href="([^"]+)" aria-current="page">\s*<span class="tick"', outline.group(0))
    assert current == [activity_url(activity)]
    assert '<progress id="course-progress"' in html
    header = html.split("</header>")[0]
    assert re.search(r'aria-current="page">My learning</a>', header)
    if previous is not None:
        assert f'<a href="{activity_url(previous)}" rel="prev"' in html
    if following is not None:
        assert f'<a href="{activity_url(following)}" rel="next"' in html
    return html


@pytest.fixture
def quiz_between_lessons():
    """A lesson, a two-question quiz, another lesson."""
    course = build_course(publish=False, activities=[{"title": "Before the quiz"}])
    module = course.modules.get()
    quiz = quiz_authoring.quiz_activity_create(module=module, title="Check your understanding")
    add_single_choice(quiz, 2)
    catalog_services.activity_create(module=module, title="After the quiz", kind="lesson",
                                     lesson={"content_type": "article", "body": "Listen."})
    catalog_services.course_publish(course=course)
    return course, quiz, activities_of(course)


def test_the_quiz_its_questions_and_its_result_are_in_the_player(learner_client, quiz_between_lessons):
    course, quiz, (before, _quiz, after) = quiz_between_lessons
    client, enrollment = learner_client(course)
    assert_in_player(client.get(activity_url(quiz.activity)), quiz.activity, previous=before, following=after)
    client.post(reverse("pages:quiz-start", args=[quiz.activity_id]))
    attempt = Attempt.objects.get(enrollment=enrollment)
    html = assert_in_player(client.get(activity_url(quiz.activity)), quiz.activity, previous=before, following=after)
    assert "Question 1 of 2" in html
    # Answers missing: the questions again with the errors, still in the player.
    sent_back = client.post(reverse("pages:quiz-submit", args=[attempt.pk]), {})
    assert sent_back.status_code == 400
    assert_in_player(sent_back, quiz.activity, previous=before, following=after)
    quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    result = client.get(reverse("pages:quiz-result", args=[attempt.pk]))
    html = assert_in_player(result, quiz.activity, previous=before, following=after)
    assert re.search(r"<h1[^>]*>Check your understanding: results of attempt 1</h1>", html)
    assert "✓" not in html  # the tick is drawn by the style sheet, not a character in the text
    assert re.search(r'class="step passed current"', html)


def test_the_role_play_and_its_results_are_in_the_player(org, client):
    w = world(org, learners=2)
    lesson = catalog_services.activity_create(module=w.scenario.activity.module, title="After the role-play",
                                              kind="lesson", lesson={"content_type": "article", "body": "Listen."})
    client.force_login(w.learners[0])
    activity = w.scenario.activity
    assert_in_player(client.get(activity_url(activity)), activity, following=lesson)
    sent_back = client.post(reverse("pages:roleplay-submit", args=[w.scenario.pk]), {"transcript": ""})
    assert sent_back.status_code == 400
    assert_in_player(sent_back, activity, following=lesson)
    performance = perform(w, 0)
    html = assert_in_player(client.get(reverse("pages:roleplay-result", args=[performance.pk])), activity,
                            following=lesson)
    assert "results</h1>" in html


def test_the_survey_is_in_the_player(learner_client):
    course, before, after = surveyed_course(items=3)
    client, _ = learner_client(course)
    lesson = activities_of(course)[1]
    assert_in_player(client.get(page_url(before)), before.activity, following=lesson)
    sent_back = client.post(answer_url(before), {})
    assert sent_back.status_code == 400
    assert_in_player(sent_back, before.activity, following=lesson)
    assert_in_player(client.get(page_url(after)), after.activity, previous=lesson)


def test_a_result_stays_readable_without_the_outline_once_the_course_is_hidden(learner_client, quiz_between_lessons):
    course, quiz, _steps = quiz_between_lessons
    client, enrollment = learner_client(course)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    type(course).objects.filter(pk=course.pk).update(status="archived")
    response = client.get(reverse("pages:quiz-result", args=[attempt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "results of attempt 1</h1>" in html and 'class="player alone"' in html
    assert "player-outline" not in html and 'rel="next"' not in html
