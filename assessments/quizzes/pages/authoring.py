"""The quiz editor at /teach/quizzes/<activity_id>/ (the lesson editor links here for a quiz activity): the questions
with their choices, added, edited and deleted one by one; the quiz's settings; import of a whole quiz from the JSON
the API's ``PUT .../quiz/import/`` takes, and its export.

Every write goes through ``assessments.quizzes.services`` (authoring, transfer), the same ones the API and the admin
use; a refused form answers 400 with the errors beside their fields and writes nothing; a conflict (a question
learners answered, a quiz they attempted) answers 409 saying why."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.quizzes import selectors
from assessments.quizzes.errors import QuizAuthoringError
from assessments.quizzes.models import Question, Quiz
from assessments.quizzes.pages.authoring_forms import (
    KIND_LABELS,
    SETTINGS_ALIASES,
    QuestionForm,
    QuizImportForm,
    QuizSettingsForm,
    import_problems,
)
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.quizzes.services import transfer as quiz_transfer
from courses.catalog.models import Activity
from courses.catalog.pages.lesson_forms import apply_service_error
from courses.teaching.pages import teach_page
from lms.errors import ApplicationError, Conflict

CONFLICTS = {
    "question_answered": lambda: pgettext("teach", "Learners have answered this question, so it stays: their grades "
                                                   "must remain explainable. Change its wording instead."),
    "quiz_has_attempts": lambda: pgettext("teach", "Learners have attempted this quiz, so it is not replaced. Import "
                                                   "into a new quiz activity instead."),
}


def _conflict_message(exc: ApplicationError) -> str:
    known = CONFLICTS.get(str(exc.code))
    return known() if known else exc.message


def _status(exc: ApplicationError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


def correct_answers(question: Question) -> str:
    """What counts as right, as the list shows it: the correct choices, or a short-text question's accepted answers."""
    if question.kind == Question.Kind.SHORT_TEXT:
        return "; ".join(question.accepted_answers or [])
    return "; ".join(choice.text for choice in question.choices.all() if choice.is_correct)


def _editor(request: HttpRequest, activity: Activity, quiz: Quiz | None, status: int = 200,
            **bound: Any) -> HttpResponse:
    questions = selectors.quiz_editor_questions(quiz=quiz)
    context = {
        "nav": "teach", "teach_nav": "courses", "activity": activity, "course": activity.course, "quiz": quiz,
        "questions": [(question, correct_answers(question)) for question in questions], "kind_labels": KIND_LABELS,
        "total_points": sum(q.points for q in questions),
        "settings_form": QuizSettingsForm(initial=QuizSettingsForm.initial_for(quiz)),
        "import_form": QuizImportForm(), "import_problems": [], **bound,
    }
    return render(request, "assessments/teach/quiz_edit.html", context, status=status)


def _back(activity: Activity, anchor: str = "") -> HttpResponse:
    response = redirect("pages:teach-quiz", activity_id=activity.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@teach_page
@require_http_methods(["GET", "POST"])
def teach_quiz(request, activity_id):
    """The quiz's questions and settings; a POST saves the settings (creating the quiz when it has none yet)."""
    activity, quiz = selectors.access_quiz_edit(actor=request.user, activity_id=activity_id)
    if request.method == "GET":
        return _editor(request, activity, quiz)
    form = QuizSettingsForm(request.POST)
    if not form.is_valid():
        return _editor(request, activity, quiz, status=400, settings_form=form)
    try:
        if quiz is None:
            quiz_authoring.quiz_create(activity=activity, **form.service_fields())
        else:
            quiz_authoring.quiz_update(quiz=quiz, **form.service_fields())
    except ApplicationError as exc:
        apply_service_error(form, exc, SETTINGS_ALIASES)
        return _editor(request, activity, quiz, status=_status(exc), settings_form=form)
    messages.success(request, pgettext("teach", "The quiz settings are saved."))
    return _back(activity, "settings")


@teach_page
@require_POST
def teach_quiz_import(request, activity_id):
    activity, quiz = selectors.access_quiz_edit(actor=request.user, activity_id=activity_id)
    form = QuizImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _editor(request, activity, quiz, status=400, import_form=form)
    try:
        quiz_transfer.quiz_import_json(activity=activity, document=form.cleaned_data["file"].read())
    except QuizAuthoringError as exc:
        problems = import_problems(exc)
        form.add_error("file", problems[0])
        form._describe()
        return _editor(request, activity, quiz, status=400, import_form=form, import_problems=problems[1:])
    except ApplicationError as exc:
        form.add_error("file", _conflict_message(exc))
        form._describe()
        return _editor(request, activity, quiz, status=_status(exc), import_form=form)
    messages.success(request, pgettext("teach", "The quiz is imported."))
    return _back(activity)


@teach_page
@require_GET
def teach_quiz_export(request, activity_id):
    _activity, quiz = selectors.access_quiz_edit(actor=request.user, activity_id=activity_id)
    if quiz is None:
        raise Http404
    response = JsonResponse(selectors.quiz_document(quiz=quiz), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="quiz-{activity_id}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


def _question_page(request: HttpRequest, activity: Activity, form: QuestionForm, question: Question | None,
                   status: int = 200) -> HttpResponse:
    return render(request, "assessments/teach/quiz_question.html", {
        "nav": "teach", "teach_nav": "courses", "activity": activity, "course": activity.course, "form": form,
        "question": question,
    }, status=status)


def _question_save(request: HttpRequest, activity: Activity, quiz: Quiz | None,
                   question: Question | None) -> HttpResponse:
    form = QuestionForm(request.POST, question=question)
    if not form.is_valid():
        return _question_page(request, activity, form, question, status=400)
    try:
        if question is not None:
            quiz_authoring.question_update(question=question, **form.service_fields())
        else:
            if quiz is None:  # the quiz's first question: checked before the quiz is written, so a 400 writes nothing
                quiz_authoring.clean_question(**form.service_fields())
                quiz = quiz_authoring.quiz_create(activity=activity)
            quiz_authoring.question_create(quiz=quiz, **form.service_fields())
    except ApplicationError as exc:
        apply_service_error(form, exc)
        return _question_page(request, activity, form, question, status=_status(exc))
    messages.success(request, pgettext("teach", "The question is saved."))
    return _back(activity, "questions")


@teach_page
@require_http_methods(["GET", "POST"])
def teach_quiz_question_new(request, activity_id):
    activity, quiz = selectors.access_quiz_edit(actor=request.user, activity_id=activity_id)
    if request.method == "GET":
        return _question_page(request, activity, QuestionForm(initial={"points": 1}), None)
    return _question_save(request, activity, quiz, None)


@teach_page
@require_http_methods(["GET", "POST"])
def teach_quiz_question(request, activity_id, question_id):
    question = selectors.access_question_manage(actor=request.user, activity_id=activity_id, question_id=question_id)
    activity = question.quiz.activity
    if request.method == "GET":
        return _question_page(request, activity, QuestionForm(question=question), question)
    return _question_save(request, activity, question.quiz, question)


@teach_page
@require_POST
def teach_quiz_question_delete(request, activity_id, question_id):
    question = selectors.access_question_manage(actor=request.user, activity_id=activity_id, question_id=question_id)
    activity = question.quiz.activity
    try:
        quiz_authoring.question_delete(question=question)
    except ApplicationError as exc:
        messages.error(request, _conflict_message(exc))
        return _editor(request, activity, question.quiz, status=_status(exc))
    messages.success(request, pgettext("teach", "The question is deleted."))
    return _back(activity, "questions")
