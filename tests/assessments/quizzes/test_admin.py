"""The quiz back office: scoped to the courses one manages; questions and choices saved through the
services (so the rules hold); JSON export and import."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments.quizzes import selectors
from assessments.quizzes.models import Question, Quiz
from assessments.quizzes.services import authoring as services
from lms import services as lms_services
from tests.assessments.factories import quiz_course


@pytest.fixture
def staff_world(org, other_org):
    instructor = lms_services.membership_add_person(organization=org, email="ines@a.example",
                                                    roles=["instructor"]).user
    stranger = lms_services.membership_add_person(organization=other_org, email="sam@b.example",
                                                  roles=["instructor"]).user
    _, mine = quiz_course(questions=2, instructor=instructor)
    _, theirs = quiz_course(questions=1, instructor=stranger)
    return {"instructor": instructor, "mine": mine, "theirs": theirs}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_quiz_changelist_is_scoped(staff_world):
    response = _signed_in(staff_world["instructor"]).get("/admin/assessments/quiz/")
    assert response.status_code == 200
    assert [q.pk for q in response.context["cl"].result_list] == [staff_world["mine"].pk]
    assert _signed_in(staff_world["instructor"]).get(
        f"/admin/assessments/quiz/{staff_world['theirs'].pk}/change/").status_code == 302  # not found -> index


def test_quiz_change_page_lists_questions_inline(staff_world):
    response = _signed_in(staff_world["instructor"]).get(f"/admin/assessments/quiz/{staff_world['mine'].pk}/change/")
    assert response.status_code == 200
    assert b"Question 0" in response.content and b"Export JSON" in response.content


def _question_post(quiz, kind, choices, **extra):
    data = {"quiz": quiz.pk, "kind": kind, "prompt": "Which reply listens?", "points": 1, "position": 5,
            "feedback": "", "accepted_answers_text": extra.get("accepted", ""),
            "choices-TOTAL_FORMS": len(choices), "choices-INITIAL_FORMS": 0, "choices-MIN_NUM_FORMS": 0,
            "choices-MAX_NUM_FORMS": 1000}
    for n, (text, correct) in enumerate(choices):
        data[f"choices-{n}-text"] = text
        data[f"choices-{n}-position"] = n
        if correct:
            data[f"choices-{n}-is_correct"] = "on"
    return data


def test_question_with_choices_is_validated_and_saved_through_the_services(staff_world):
    client = _signed_in(staff_world["instructor"])
    quiz = staff_world["mine"]
    bad = client.post("/admin/assessments/question/add/",
                      _question_post(quiz, "single_choice", [("A", True), ("B", True)]))
    assert bad.status_code == 200 and quiz.questions.count() == 2  # shown again with the error
    assert b"exactly one correct choice" in bad.content
    good = client.post("/admin/assessments/question/add/",
                       _question_post(quiz, "single_choice", [("A", True), ("B", False)]))
    assert good.status_code == 302, good.content[:2000]
    question = quiz.questions.order_by("-id").first()
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [("A", True), ("B", False)]
    text = client.post("/admin/assessments/question/add/",
                       _question_post(quiz, "short_text", [], accepted="empathy\nEmpatia\n"))
    assert text.status_code == 302
    assert Question.objects.order_by("-id").first().accepted_answers == ["empathy", "Empatia"]


def test_export_and_import_views(staff_world):
    client = _signed_in(staff_world["instructor"])
    quiz = staff_world["mine"]
    exported = client.get(f"/admin/assessments/quiz/{quiz.pk}/export/")
    assert exported.status_code == 200
    document = json.loads(exported.content)
    assert document == selectors.quiz_document(quiz=quiz)
    assert client.get(f"/admin/assessments/quiz/{staff_world['theirs'].pk}/export/").status_code == 404

    target = services.quiz_activity_create(module=quiz.activity.module, title="Copy")
    target.delete()  # leave the activity without a quiz: the import creates it
    upload = SimpleUploadedFile("quiz.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post("/admin/assessments/quiz/import/", {"activity": target.activity_id, "file": upload})
    assert response.status_code == 302
    assert Quiz.objects.get(activity_id=target.activity_id).questions.count() == 2

    broken = SimpleUploadedFile("quiz.json", b"{not json", content_type="application/json")
    response = client.post("/admin/assessments/quiz/import/", {"activity": target.activity_id, "file": broken})
    assert response.status_code == 200 and b"not valid JSON" in response.content


def test_export_action(staff_world):
    client = _signed_in(staff_world["instructor"])
    response = client.post("/admin/assessments/quiz/", {"action": "export_json",
                                                        "_selected_action": [staff_world["mine"].pk]})
    assert response.status_code == 200
    assert json.loads(response.content)["format"] == "empathy-lms/quiz"
