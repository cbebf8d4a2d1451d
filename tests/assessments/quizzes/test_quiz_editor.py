"""The quiz editor at /teach/quizzes/<activity_id>/: the questions listed, added, edited and deleted; the settings;
import of a whole quiz (the importer's errors named by question) and its export; who may open it; and its queries,
the same for 5 questions as for 50."""
from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.quizzes.models import Question, Quiz
from assessments.quizzes.services import attempts as attempt_services
from courses.catalog import services as catalog_services
from tests import factories as people
from tests.assessments.factories import add_single_choice, enroll, quiz_course, right_answers
from tests.courses.catalog.conftest import browser, main_html, portuguese

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course_quiz(instructor, org):
    return quiz_course(questions=2, instructor=instructor, organization=org)


def url(quiz_or_activity, suffix: str = "") -> str:
    activity_id = getattr(quiz_or_activity, "activity_id", None) or quiz_or_activity.pk
    return reverse("pages:teach-quiz", args=[activity_id]) + suffix


def document(questions: list[dict] | None = None, **settings) -> bytes:
    body = {"format": "empathy-lms/quiz", "version": 1, "title": "Imported", "passing_score": 80,
            "max_attempts": 2, "questions": questions or [
                {"kind": "single_choice", "prompt": "Which is a reflection?", "points": 2,
                 "choices": [{"text": "It sounds like that was hard.", "correct": True},
                             {"text": "Calm down.", "correct": False}]},
                {"kind": "short_text", "prompt": "Name the skill.", "accepted_answers": ["listening"]},
            ], **settings}
    return json.dumps(body, indent=2).encode()


def errors_of(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}_errors">(.*?)</ul>', html, re.S)
    assert match, f"no errors on {field_id}"
    return match.group(1)


def test_the_editor_lists_the_questions_and_their_answers(instructor, course_quiz):
    _course, quiz = course_quiz
    page = main_html(browser(instructor).get(url(quiz)))
    assert "Question 0" in page and "Question 1" in page
    assert '<td lang="en">Choice 0</td>' in page  # the correct answer, and only it
    assert reverse("pages:teach-quiz-question", args=[quiz.activity_id, quiz.questions.first().pk]) in page


def test_import_replaces_the_quiz_and_export_gives_it_back(instructor, course_quiz):
    _course, quiz = course_quiz
    editor = browser(instructor)
    response = editor.post(url(quiz, "import/"), {"file": SimpleUploadedFile("quiz.json", document())})
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert [q.prompt for q in quiz.questions.all()] == ["Which is a reflection?", "Name the skill."]
    assert (quiz.passing_score, quiz.max_attempts) == (80, 2)
    exported = editor.get(url(quiz, "export/"))
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    again = json.loads(exported.content)
    assert again["questions"][0]["choices"][0] == {"text": "It sounds like that was hard.", "correct": True,
                                                   "feedback": ""}


def test_a_bad_import_names_the_question_and_writes_nothing(instructor, course_quiz):
    _course, quiz = course_quiz
    bad = [{"kind": "single_choice", "prompt": "Fine", "choices": [{"text": "a", "correct": True},
                                                                   {"text": "b"}]},
           {"kind": "single_choice", "prompt": "Two right", "choices": [{"text": "a", "correct": True},
                                                                        {"text": "b", "correct": True}]}]
    response = browser(instructor).post(url(quiz, "import/"), {"file": SimpleUploadedFile("q.json", document(bad))})
    assert response.status_code == 400
    page = main_html(response)
    assert "Question 2" in errors_of(page, "id_file")
    assert "Question 2, choices: A single-choice question has exactly one correct choice." in page
    assert [q.prompt for q in Quiz.objects.get(pk=quiz.pk).questions.all()] == ["Question 0", "Question 1"]


def test_a_file_that_is_not_json_shows_the_line(instructor, course_quiz):
    _course, quiz = course_quiz
    broken = b'{"format": "empathy-lms/quiz",\n "version": 1\n "questions": []}'
    response = browser(instructor).post(url(quiz, "import/"), {"file": SimpleUploadedFile("q.json", broken)})
    assert response.status_code == 400
    assert "line 3" in errors_of(main_html(response), "id_file")


def test_import_without_a_file_is_400(instructor, course_quiz):
    _course, quiz = course_quiz
    response = browser(instructor).post(url(quiz, "import/"), {})
    assert response.status_code == 400 and errors_of(main_html(response), "id_file")


def test_import_into_an_attempted_quiz_is_409(instructor, org, course_quiz):
    course, quiz = course_quiz
    enrollment = enroll(course, people.member(org, "learner"))
    attempt_services.attempt_start(quiz=quiz, enrollment=enrollment)
    response = browser(instructor).post(url(quiz, "import/"), {"file": SimpleUploadedFile("q.json", document())})
    assert response.status_code == 409
    assert "Learners have attempted this quiz" in errors_of(main_html(response), "id_file")
    assert quiz.questions.count() == 2


def test_a_question_is_edited(instructor, course_quiz):
    _course, quiz = course_quiz
    question = quiz.questions.first()
    choices = list(question.choices.all())
    editor = browser(instructor)
    page = editor.get(reverse("pages:teach-quiz-question", args=[quiz.activity_id, question.pk]))
    assert 'value="Choice 0"' in page.text
    response = editor.post(reverse("pages:teach-quiz-question", args=[quiz.activity_id, question.pk]), {
        "kind": "multiple_choice", "prompt": "Which two help?", "points": "3", "feedback": "",
        "choice_1": "Reflecting", "correct_1": "on", "choice_id_1": choices[0].pk,
        "choice_2": "Interrupting", "choice_id_2": choices[1].pk,
        "choice_3": "Summarising", "correct_3": "on", "choice_id_3": "",
        "choice_4": "",
    })
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.kind, question.prompt, question.points) == ("multiple_choice", "Which two help?", 3)
    after = [(c.text, c.is_correct) for c in question.choices.all()]
    assert after == [("Reflecting", True), ("Interrupting", False), ("Summarising", True)]
    assert question.choices.first().pk == choices[0].pk  # edited in place


def test_a_question_that_breaks_a_rule_is_400_beside_its_fields(instructor, course_quiz):
    _course, quiz = course_quiz
    question = quiz.questions.first()
    question_url = reverse("pages:teach-quiz-question", args=[quiz.activity_id, question.pk])
    response = browser(instructor).post(question_url, {
        "kind": "single_choice", "prompt": "Changed", "points": "1",
        "choice_1": "One", "correct_1": "on", "choice_2": "Two", "correct_2": "on"})
    assert response.status_code == 400
    assert "exactly one correct" in main_html(response)
    missing = browser(instructor).post(question_url, {"kind": "single_choice", "prompt": "", "points": "0"})
    assert missing.status_code == 400
    assert errors_of(main_html(missing), "id_prompt") and errors_of(main_html(missing), "id_points")
    question.refresh_from_db()
    assert question.prompt == "Question 0"


def test_questions_are_added_and_deleted(instructor, course_quiz):
    _course, quiz = course_quiz
    editor = browser(instructor)
    response = editor.post(reverse("pages:teach-quiz-question-new", args=[quiz.activity_id]), {
        "kind": "short_text", "prompt": "The skill?", "points": "2", "accepted_answers": "listening\n Listening \n"})
    assert response.status_code == 302
    added = quiz.questions.order_by("-position").first()
    assert (added.prompt, added.accepted_answers) == ("The skill?", ["listening", "Listening"])
    response = editor.post(reverse("pages:teach-quiz-question-delete", args=[quiz.activity_id, added.pk]))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=added.pk).exists()


def test_an_answered_question_is_not_deleted(instructor, org, course_quiz):
    course, quiz = course_quiz
    attempt, _ = attempt_services.attempt_start(quiz=quiz, enrollment=enroll(course, people.member(org, "learner")))
    attempt_services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    question = quiz.questions.first()
    response = browser(instructor).post(reverse("pages:teach-quiz-question-delete", args=[quiz.activity_id,
                                                                                       question.pk]))
    assert response.status_code == 409
    assert "Learners have answered this question" in main_html(response)
    assert Question.objects.filter(pk=question.pk).exists()


def test_settings_are_saved_and_bad_ones_refused(instructor, course_quiz):
    _course, quiz = course_quiz
    editor = browser(instructor)
    good = {"instructions": "Take your time.", "passing_score": "60", "max_attempts": "", "time_limit_minutes": "15",
            "questions_per_attempt": "", "shuffle_questions": "on", "reveal_answers": "never"}
    assert editor.post(url(quiz), good).status_code == 302
    quiz.refresh_from_db()
    assert (quiz.passing_score, quiz.max_attempts, quiz.time_limit_seconds, quiz.shuffle_questions,
            quiz.shuffle_choices, quiz.reveal_answers) == (60, None, 900, True, False, "never")
    bad = editor.post(url(quiz), {**good, "passing_score": "120", "time_limit_minutes": "0"})
    assert bad.status_code == 400
    page = main_html(bad)
    assert errors_of(page, "id_passing_score") and errors_of(page, "id_time_limit_minutes")
    quiz.refresh_from_db()
    assert quiz.passing_score == 60


def test_the_editor_speaks_portuguese(instructor, course_quiz):
    _course, quiz = course_quiz
    page = main_html(portuguese(browser(instructor)).get(url(quiz)))
    assert "Adicionar uma pergunta" in page and "Importar questionário" in page and "2 perguntas" in page


def test_who_may_open_the_editor(org, other_org, instructor, course_quiz):
    course, quiz = course_quiz
    learner = enroll(course, people.member(org, "learner")).user
    outsider = people.member(other_org, "instructor")
    question = quiz.questions.first()
    paths = [url(quiz), url(quiz, "export/"), reverse("pages:teach-quiz-question", args=[quiz.activity_id,
                                                                                        question.pk])]
    for user, status in ((outsider, 404), (learner, 403)):
        client = browser(user)
        for path in paths:
            assert client.get(path).status_code == status, path
        assert client.post(url(quiz, "import/"), {"file": SimpleUploadedFile("q.json", document())}).status_code \
            == status
        assert client.post(reverse("pages:teach-quiz-question-delete", args=[quiz.activity_id, question.pk])) \
            .status_code == status
    assert quiz.questions.count() == 2
    lesson = catalog_services.activity_create(module=course.modules.get(), title="Reading",
                                              lesson={"content_type": "article", "body": "Read this."})
    assert browser(instructor).get(reverse("pages:teach-quiz", args=[lesson.pk])).status_code == 404


def test_a_new_quiz_activity_starts_empty_and_takes_an_import(instructor, org):
    _course, quiz = quiz_course(instructor=instructor, organization=org)
    activity_id = quiz.activity_id
    quiz.delete()
    editor = browser(instructor)
    page = editor.get(reverse("pages:teach-quiz", args=[activity_id]))
    assert page.status_code == 200 and "No questions yet" in page.text
    assert editor.get(reverse("pages:teach-quiz-export", args=[activity_id])).status_code == 404
    response = editor.post(reverse("pages:teach-quiz-import", args=[activity_id]),
                           {"file": SimpleUploadedFile("q.json", document())})
    assert response.status_code == 302
    assert Quiz.objects.get(activity_id=activity_id).questions.count() == 2


@pytest.mark.parametrize("count", [5, 50])
def test_the_editor_reads_in_the_same_queries_whatever_the_questions(instructor, org, count,
                                                                      django_assert_num_queries):
    _course, quiz = quiz_course(instructor=instructor, organization=org)
    add_single_choice(quiz, count)
    editor = browser(instructor)
    editor.get(url(quiz))  # sessions and caches warm
    with django_assert_num_queries(QUERIES):
        response = editor.get(url(quiz))
    assert response.content.decode().count("Question ") >= count


QUERIES = 10


def test_a_refused_first_question_writes_no_quiz(instructor, org):
    _course, quiz = quiz_course(instructor=instructor, organization=org)
    activity_id = quiz.activity_id
    quiz.delete()
    response = browser(instructor).post(reverse("pages:teach-quiz-question-new", args=[activity_id]), {
        "kind": "single_choice", "prompt": "Only one choice", "points": "1", "choice_1": "Alone", "correct_1": "on"})
    assert response.status_code == 400
    assert "From 2 to 20 choices." in main_html(response)
    assert not Quiz.objects.filter(activity_id=activity_id).exists()
