"""Taking a quiz in the browser: the quiz at its activity address (overview, or the open attempt's
questions), starting or resuming an attempt, submitting it, and the attempt's result.

Every write goes through ``assessments.services`` (attempt_start, attempt_submit); every read through
``assessments.quizzes.selectors``, with the API's scope: the quiz is for learners enrolled in its course and
the course's managers (404 for anyone else); an attempt is started and submitted by its learner only,
and its result is read by the learner and by whoever the selectors let see it.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.quizzes import selectors
from assessments.quizzes.errors import AnswerError, AttemptConflict, QuizErrorCode
from assessments.quizzes.forms import QuizAnswersForm
from assessments.quizzes.models import Attempt
from assessments.quizzes.services import attempts as services
from courses.catalog.pages.player import activity_player
from courses.enrollments import selectors as course_selectors


def conflict_message(exc: AttemptConflict) -> str:
    """The service's conflict, in the reader's language."""
    return {
        "max_attempts_reached": _("You have used every attempt at this quiz."),
        "attempt_expired": _("The time limit of this attempt has passed, so it can no longer be submitted."),
        "quiz_empty": _("This quiz has no questions yet."),
        "enrollment_required": _("Enroll in the course to take this quiz."),
    }.get(exc.code, exc.message)


def activity_url(activity) -> str:
    return reverse("pages:activity", args=[activity.course.slug, activity.pk])


def _attempt_form_context(request: HttpRequest, attempt: Attempt, form: QuizAnswersForm | None = None) -> dict:
    detail = selectors.attempt_detail(attempt=attempt, actor=request.user)
    return {"attempt": detail, "form": form or QuizAnswersForm(questions=detail["questions"])}


def _render_quiz(request: HttpRequest, access: selectors.QuizAccess, *, attempt: Attempt | None = None,
                 form: QuizAnswersForm | None = None, status: int = 200, player: dict | None = None) -> HttpResponse:
    quiz, activity = access.quiz, access.quiz.activity
    context = {
        **(player or activity_player(request, activity)), "quiz": quiz,
        "question_count": selectors.question_count(quiz=quiz), "can_manage": access.can_manage,
        "summary": None, "attempts": [], "attempt": None, "form": None,
        "time_limit_minutes": -(-quiz.time_limit_seconds // 60) if quiz.time_limit_seconds else None,
    }
    if access.enrollment is not None:
        summary = selectors.learner_summary(quiz=quiz, enrollment=access.enrollment)
        context["summary"] = summary
        context["attempts"] = list(selectors.learner_attempts(quiz=quiz, enrollment=access.enrollment))
        if attempt is None and summary["open_attempt"]:
            attempt = next((a for a in context["attempts"] if a.pk == summary["open_attempt"]), None)
        context["can_start"] = summary["attempts_left"] != 0 and not summary["open_attempt"]
    if attempt is not None:
        attempt.quiz = quiz
        attempt.enrollment = access.enrollment
        context.update(_attempt_form_context(request, attempt, form))
    return render(request, "assessments/pages/quiz.html", context, status=status)


def quiz_page(request: HttpRequest, course, activity, enrollment, player: dict | None = None) -> HttpResponse:
    """The quiz activity: settings and past attempts, or the questions of the open attempt."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = selectors.quiz_access(actor=request.user, activity_id=activity.pk)
    return _render_quiz(request, access, player=player)


@require_POST
@login_required
def quiz_start(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Start an attempt, or resume the open one; the questions then show at the quiz's address."""
    access = selectors.quiz_access(actor=request.user, activity_id=activity_id)
    url = activity_url(access.quiz.activity)
    if access.enrollment is None:
        messages.error(request, _("Enroll in the course to take this quiz."))
        return redirect(url)
    try:
        services.attempt_start(quiz=access.quiz, enrollment=access.enrollment)
    except AttemptConflict as exc:
        messages.error(request, conflict_message(exc))
    return redirect(url)


@require_POST
@login_required
def quiz_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Grade one's own attempt. Missing or malformed answers: the questions again with the errors (400),
    nothing recorded. Too late: back to the quiz with the reason."""
    attempt = selectors.attempt_own(user=request.user, attempt_id=attempt_id)
    result_url = reverse("pages:quiz-result", args=[attempt.pk])
    if attempt.status == Attempt.Status.SUBMITTED:
        return redirect(result_url)  # a second click: the same result, nothing written
    if attempt.effective_status == Attempt.Status.EXPIRED:
        messages.error(request, conflict_message(AttemptConflict("", code=QuizErrorCode.ATTEMPT_EXPIRED)))
        return redirect(activity_url(attempt.quiz.activity))
    access = selectors.quiz_access(actor=request.user, activity_id=attempt.quiz.activity_id)
    detail = selectors.attempt_detail(attempt=attempt, actor=request.user)
    form = QuizAnswersForm(request.POST, questions=detail["questions"])
    if form.is_valid():
        try:
            services.attempt_submit(attempt=attempt, answers=form.answers())
        except AttemptConflict as exc:
            messages.error(request, conflict_message(exc))
            return redirect(activity_url(attempt.quiz.activity))
        except AnswerError as exc:
            form.add_error(None, _("These answers do not fit this attempt (%(reason)s). Nothing was recorded.")
                           % {"reason": exc.message})
        else:
            return redirect(result_url)
    return _render_quiz(request, access, attempt=attempt, form=form, status=400)


@login_required
def quiz_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A submitted (or expired) attempt: score, passed or not, and the per-question feedback the quiz
    reveals. The learner's own open attempt sends them back to its questions."""
    attempt = selectors.attempt_get(actor=request.user, attempt_id=attempt_id)
    own = attempt.enrollment.user_id == request.user.pk
    activity = attempt.quiz.activity
    if own and attempt.effective_status == Attempt.Status.IN_PROGRESS:
        return redirect(activity_url(activity))
    detail = selectors.attempt_detail(attempt=attempt, actor=request.user)
    context = {**activity_player(request, activity), "attempt": detail, "quiz": attempt.quiz, "own": own,
               "next_activity": None, "summary": None}
    if own:
        summary = selectors.learner_summary(quiz=attempt.quiz, enrollment=attempt.enrollment)
        context["summary"] = summary
        context["can_retry"] = not summary["passed"] and summary["attempts_left"] != 0
        _, activities, progress = course_selectors.enrollment_with_progress(
            actor=request.user, enrollment_id=attempt.enrollment_id)
        upcoming = course_selectors.next_activity([a for a in activities if a.pk != activity.pk], progress)
        context["next_activity"] = upcoming
    return render(request, "assessments/pages/quiz_result.html", context)
