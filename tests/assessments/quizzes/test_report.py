"""The quiz response report: item analysis computed by hand on small examples, the report through the API and
the /teach/ page, which attempts count, constant queries, and who may read it."""
from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.quizzes import item_analysis
from assessments.quizzes.grading import grade
from assessments.quizzes.item_analysis import ItemChoice, ItemQuestion, ItemResponse
from assessments.quizzes.models import Attempt, AttemptAnswer, Question
from assessments.quizzes.services import authoring
from tests import factories as people
from tests.assessments.factories import enroll, quiz_course

pytestmark = pytest.mark.django_db

# Five attempts at three one-point questions (A is right in each; 1 = answered right):
#   attempt  Q1 Q2 Q3  total   picks (Q1, Q2, Q3)
#   a1        1  1  1    3     A A A
#   a2        1  1  0    2     A A B
#   a3        1  0  1    2     A B A
#   a4        0  1  0    1     B A C
#   a5        0  0  0    0     B C B
PICKS = ["AAA", "AAB", "ABA", "BAC", "BCB"]


def _pure_example():
    questions = [ItemQuestion(id=q, prompt=f"Q{q}", kind="single_choice", points=1,
                              choices=[ItemChoice(id=q * 10 + i, text=letter, is_correct=letter == "A")
                                       for i, letter in enumerate("ABC")])
                 for q in (1, 2, 3)]
    responses = [ItemResponse(attempt=a, question=q, points=1 if picks[q - 1] == "A" else 0,
                              is_correct=picks[q - 1] == "A", choices=[q * 10 + "ABC".index(picks[q - 1])])
                 for a, picks in enumerate(PICKS, start=1) for q in (1, 2, 3)]
    return item_analysis.item_analysis(questions, responses)


def test_difficulty_point_biserial_and_upper_lower_index_by_hand():
    report = _pure_example()
    q1, q2, q3 = report["questions"]
    assert report["attempts"] == 5
    # Difficulty: 3, 3 and 2 of 5 right.
    assert (q1["difficulty"], q2["difficulty"], q3["difficulty"]) == (0.6, 0.6, 0.4)
    # Q1: item 1 1 1 0 0, rest 2 1 1 1 0: sxy = 1.0, sxx = 1.2, syy = 2 -> 1 / sqrt(2.4)
    assert q1["point_biserial"] == round(1 / math.sqrt(2.4), 4) == 0.6455
    # Q2: item 1 1 0 1 0, rest 2 1 2 0 0: sxy = 0 -> no correlation with the rest of the quiz
    assert q2["point_biserial"] == 0.0
    # Q3: item 1 0 1 0 0, rest 2 2 1 1 0: sxy = 0.6, sxx = 1.2, syy = 2.8 -> 0.6 / sqrt(3.36)
    assert q3["point_biserial"] == round(0.6 / math.sqrt(3.36), 4) == 0.3273
    # Groups of round(0.27 * 5) = 1: a1 (3 points) on top, a5 (0) at the bottom; each got every question
    # right and wrong respectively.
    assert [q["group_size"] for q in (q1, q2, q3)] == [1, 1, 1]
    assert (q1["upper_lower_index"], q2["upper_lower_index"], q3["upper_lower_index"]) == (1.0, 1.0, 1.0)


def test_choice_counts_shares_and_flags_by_hand():
    q1, q2, q3 = _pure_example()["questions"]
    assert [(c["text"], c["count"], c["share"]) for c in q1["choices"]] == [("A", 3, 0.6), ("B", 2, 0.4),
                                                                              ("C", 0, 0.0)]
    assert q1["flags"] == ["unchosen_distractor"]  # nobody picked C
    assert q2["flags"] == ["low_discrimination"]  # point-biserial 0
    assert q3["flags"] == []


def test_too_easy_too_hard_negative_and_a_distractor_the_top_group_prefers():
    question = ItemQuestion(id=1, prompt="Q", kind="single_choice", points=1,
                            choices=[ItemChoice(1, "right", True), ItemChoice(2, "tempting", False)])
    other = ItemQuestion(id=2, prompt="R", kind="single_choice", points=1, choices=[])
    # The strongest attempts (by the other question) pick the wrong choice: negative discrimination.
    responses = []
    for attempt, (picked, other_points) in enumerate([(2, 1), (2, 1), (1, 0), (1, 0), (1, 0)], start=1):
        responses.append(ItemResponse(attempt, 1, int(picked == 1), picked == 1, [picked]))
        responses.append(ItemResponse(attempt, 2, other_points, bool(other_points)))
    row = item_analysis.item_analysis([question, other], responses)["questions"][0]
    assert row["difficulty"] == 0.6
    assert row["point_biserial"] == -1.0 and row["upper_lower_index"] == -1.0
    assert "negative_discrimination" in row["flags"] and "distractor_beats_key" in row["flags"]
    easy = [ItemResponse(a, 1, 1, True, [1]) for a in range(1, 11)]
    assert "too_easy" in item_analysis.item_analysis([question], easy)["questions"][0]["flags"]
    hard = [ItemResponse(a, 1, 0, False, [2]) for a in range(1, 11)]
    assert "too_hard" in item_analysis.item_analysis([question], hard)["questions"][0]["flags"]


def test_partial_credit_counts_as_a_share_of_the_points():
    question = ItemQuestion(id=1, prompt="Q", kind="multiple_choice", points=2, choices=[])
    responses = [ItemResponse(1, 1, Decimal("2"), True), ItemResponse(2, 1, Decimal("1"), False),
                 ItemResponse(3, 1, Decimal("0"), False), ItemResponse(4, 1, Decimal("1"), False)]
    row = item_analysis.item_analysis([question], responses)["questions"][0]
    assert row["difficulty"] == 0.5  # (1 + 0.5 + 0 + 0.5) / 4
    assert row["correct_share"] == 0.25


# --- Through the database --------------------------------------------------------------------------------------

def _attempt(quiz, enrollment, number: int, picks: str, questions: list[Question]) -> Attempt:
    attempt = Attempt.objects.create(quiz=quiz, enrollment=enrollment, number=number, seed=number,
                                     status=Attempt.Status.SUBMITTED, submitted_at=timezone.now(),
                                     layout=[{"question": q.pk, "choices": [c.pk for c in q.choices.all()]}
                                             for q in questions])
    rows, total = [], Decimal(0)
    for question, letter in zip(questions, picks, strict=True):
        choices = list(question.choices.all())
        picked = choices["ABC".index(letter)].pk
        graded = grade(kind=question.kind, points=question.points, correct_choice_ids=[
            c.pk for c in choices if c.is_correct], accepted_answers=[], picked=[picked])
        total += graded.points
        rows.append(AttemptAnswer(attempt=attempt, question=question, choices=[picked], answered=True,
                                  is_correct=graded.is_correct, points=graded.points))
    AttemptAnswer.objects.bulk_create(rows)
    Attempt.objects.filter(pk=attempt.pk).update(points=total, max_points=len(questions))
    return attempt


def _quiz_world(org, picks: list[str]):
    instructor = people.member(org, "instructor")
    course, quiz = quiz_course(questions=3, instructor=instructor, organization=org)
    course.instructors.add(instructor)
    questions = list(quiz.questions.order_by("position", "id").prefetch_related("choices"))
    enrollments = []
    for pattern in picks:
        enrollment = enroll(course, people.member(org))
        _attempt(quiz, enrollment, 1, pattern, questions)
        enrollments.append(enrollment)
    return instructor, course, quiz, questions, enrollments


def test_the_api_reports_each_learners_first_attempt(org, client_for):
    instructor, _, quiz, questions, enrollments = _quiz_world(org, PICKS)
    _attempt(quiz, enrollments[4], 2, "AAA", questions)  # a later, perfect attempt is left out
    response = client_for(instructor).get(f"/api/v1/activities/{quiz.activity_id}/quiz/report/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["basis"] == "first_attempt" and body["attempts"] == 5
    assert [q["difficulty"] for q in body["questions"]] == [0.6, 0.6, 0.4]
    assert [q["point_biserial"] for q in body["questions"]] == [0.6455, 0.0, 0.3273]
    assert [q["upper_lower_index"] for q in body["questions"]] == [1.0, 1.0, 1.0]
    assert [c["count"] for c in body["questions"][0]["choices"]] == [3, 2, 0]
    assert body["questions"][0]["flags"] == ["unchosen_distractor"]
    assert body["flagged"] == 2


def test_the_page_states_the_basis_and_shows_flags(org, client):
    instructor, _, quiz, _, _ = _quiz_world(org, PICKS)
    client.force_login(instructor)
    response = client.get(reverse("pages:teach-quiz-report", args=[quiz.activity_id]))
    assert response.status_code == 200
    text = response.text
    assert "first submitted attempts" in text
    assert "A wrong choice nobody picked" in text and "Weak discrimination" in text
    assert "0.65" in text and 'class="table-scroll"' in text and "<caption>" in text


def test_the_quiz_page_links_its_managers_to_the_report(org, client):
    instructor, course, quiz, _, _ = _quiz_world(org, PICKS[:1])
    client.force_login(instructor)
    response = client.get(reverse("pages:activity", args=[course.slug, quiz.activity_id]))
    assert reverse("pages:teach-quiz-report", args=[quiz.activity_id]) in response.text


def test_the_page_in_portuguese(org, client):
    instructor, _, quiz, _, _ = _quiz_world(org, PICKS)
    client.force_login(instructor)
    response = client.get(reverse("pages:teach-quiz-report", args=[quiz.activity_id]),
                          HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "primeira tentativa" in response.text


def _more_attempts(quiz, course, questions, count: int, org) -> None:
    for n in range(count):
        _attempt(quiz, enroll(course, people.member(org)), 1, PICKS[n % 5], questions)


def test_queries_are_constant_in_the_number_of_attempts(org, client_for, django_assert_num_queries):
    instructor, course, quiz, questions, _ = _quiz_world(org, PICKS * 2)
    client = client_for(instructor)
    url = f"/api/v1/activities/{quiz.activity_id}/quiz/report/"
    page = reverse("pages:teach-quiz-report", args=[quiz.activity_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small_api:
        assert client.get(url).json()["attempts"] == 10
    client.force_login(instructor)
    with CaptureQueriesContext(connection) as small_page:
        assert client.get(page).status_code == 200
    _more_attempts(quiz, course, questions, 90, org)
    with django_assert_num_queries(len(small_api)):
        assert client.get(url).json()["attempts"] == 100
    with django_assert_num_queries(len(small_page)):
        assert client.get(page).status_code == 200


def test_who_may_read_the_report(org, other_org, client_for, client):
    _, _, quiz, _, enrollments = _quiz_world(org, PICKS[:2])
    url = f"/api/v1/activities/{quiz.activity_id}/quiz/report/"
    page = reverse("pages:teach-quiz-report", args=[quiz.activity_id])
    outsider = people.member(other_org, "instructor")
    assert client_for(outsider).get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    colleague = people.member(org, "instructor")  # teaches another course of the same organization
    assert client_for(colleague).get(url).status_code in (403, 404)
    client.force_login(colleague)
    assert client.get(page).status_code in (403, 404)
    learner = enrollments[0].user
    assert client_for(learner).get(url).status_code == 403
    client.force_login(learner)
    assert client.get(page).status_code == 403


def test_a_quiz_without_attempts_or_questions(org, client):
    instructor = people.member(org, "instructor")
    course, quiz = quiz_course(questions=0, instructor=instructor, organization=org)
    course.instructors.add(instructor)
    client.force_login(instructor)
    response = client.get(reverse("pages:teach-quiz-report", args=[quiz.activity_id]))
    assert response.status_code == 200 and "No learner has submitted this quiz yet." in response.text
    authoring.question_create(quiz=quiz, kind="short_text", prompt="Name it", accepted_answers=["empathy"])
    assert client.get(reverse("pages:teach-quiz-report", args=[quiz.activity_id])).status_code == 200
