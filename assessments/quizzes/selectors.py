"""Reads for the assessments app, scoped to the caller.

Who sees what:
- a quiz (its settings, never its answers): learners with an active or completed enrollment in
  its course, and the course's managers (its instructors, its organization's admins);
- an attempt: the learner's own (through their enrollment), and every attempt in the courses one
  manages. Superusers see all. Anything else is absent: 404.
- the answer key (correct choices, accepted answers, feedback): course managers; a learner, on a
  submitted attempt, as the quiz's ``reveal_answers`` allows: ``never``; ``after_submission``;
  ``after_passing_or_last`` (once any attempt has passed, or no attempt is left).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.quizzes import item_analysis
from assessments.quizzes.models import SUBMIT_GRACE, Attempt, AttemptAnswer, Choice, Question, Quiz
from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Activity, Course
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments.models import Enrollment
from courses.enrollments.selectors.gradebook import extension_allowance
from lms.errors import Forbidden
from lms.scoping import is_unrestricted, person_id

READABLE = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)
DOCUMENT_FORMAT = "empathy-lms/quiz"
DOCUMENT_VERSION = 1


@dataclass
class QuizAccess:
    quiz: Quiz
    enrollment: Enrollment | None  # the caller's own, when active or completed
    can_manage: bool



def quiz_access(*, actor: Any, activity_id: int) -> QuizAccess:
    """The quiz of an activity, for an enrolled learner or the course's managers; otherwise 404."""
    quiz = Quiz.objects.select_related("activity__course", "activity__module").filter(activity_id=activity_id).first()
    if quiz is None:
        raise Http404
    course = quiz.activity.course
    if not catalog_selectors.courses_visible_to(actor=actor).filter(pk=course.pk).exists():
        raise Http404
    enrollment = enrollment_selectors.user_enrollment(user=actor, course=course)
    if enrollment is not None and enrollment.status not in READABLE:
        enrollment = None
    can_manage = catalog_selectors.course_can_manage(actor=actor, course=course)
    if enrollment is None and not can_manage:
        raise Http404
    if enrollment is not None:
        enrollment.course = course
    return QuizAccess(quiz=quiz, enrollment=enrollment, can_manage=can_manage)


def quiz_activity_access(*, actor: Any, activity_id: int) -> tuple[Activity, bool]:
    """A quiz activity (with or without its quiz yet) and whether the actor manages its course; 404 for
    anyone neither enrolled in the course nor managing it (the same rule as ``quiz_access``)."""
    activity = Activity.objects.select_related("course").filter(pk=activity_id).first()
    if activity is None or not catalog_selectors.courses_visible_to(actor=actor).filter(
            pk=activity.course_id).exists():
        raise Http404
    can_manage = catalog_selectors.course_can_manage(actor=actor, course=activity.course)
    enrollment = enrollment_selectors.user_enrollment(user=actor, course=activity.course)
    if not can_manage and (enrollment is None or enrollment.status not in READABLE):
        raise Http404
    return activity, can_manage


def learner_summary(*, quiz: Quiz, enrollment: Enrollment) -> dict[str, Any]:
    """Attempts used, allowed (with the learner's extensions once the quiz's own are used) and left, best score,
    passed, and the open attempt (one query; two for a learner at the quiz's limit)."""
    row = Attempt.objects.filter(quiz=quiz, enrollment=enrollment).aggregate(
        used=Count("id"), best=Max("score", filter=Q(status=Attempt.Status.SUBMITTED)),
        passed=Count("id", filter=Q(passed=True)),
        open_id=Max("id", filter=Q(status=Attempt.Status.IN_PROGRESS)),
        open_deadline=Max("deadline", filter=Q(status=Attempt.Status.IN_PROGRESS)),
    )
    open_id = row["open_id"]
    if row["open_deadline"] is not None and row["open_deadline"] + SUBMIT_GRACE < timezone.now():
        open_id = None  # timed out: the next start closes it
    used = row["used"]
    allowed = quiz.max_attempts
    if allowed is not None and used >= allowed:
        # At the quiz's limit the learner's extra attempts count, as the start rule counts them (one more query,
        # only then).
        allowed += extension_allowance(enrollment_id=enrollment.pk, activity_id=quiz.activity_id)[0]
    left = None if allowed is None else max(0, allowed - used)
    return {"attempts_used": used, "attempts_left": left, "attempts_allowed": allowed, "best_score": row["best"],
            "passed": row["passed"] > 0, "open_attempt": open_id}


def learner_attempts(*, quiz: Quiz, enrollment: Enrollment) -> QuerySet[Attempt]:
    """One learner's attempts at a quiz, first to last (for the quiz page's history)."""
    return Attempt.objects.filter(quiz=quiz, enrollment=enrollment).order_by("number", "id")


def question_count(*, quiz: Quiz) -> int:
    """How many questions one attempt shows."""
    total = quiz.questions.count()
    return min(total, quiz.questions_per_attempt) if quiz.questions_per_attempt else total


def attempt_scope_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    user_id = person_id(actor)
    if user_id is None:
        return Q(pk__in=[])
    managed = Course.objects.filter(catalog_selectors.course_manage_q(actor)).values("pk")
    return Q(enrollment__user_id=user_id) | Q(enrollment__course_id__in=managed)


def attempts_visible_to(*, actor: Any) -> QuerySet[Attempt]:
    return Attempt.objects.filter(attempt_scope_q(actor)).select_related(
        "quiz__activity__course", "enrollment__user")


def attempt_get(*, actor: Any, attempt_id: int) -> Attempt:
    attempt = attempts_visible_to(actor=actor).filter(pk=attempt_id).first()
    if attempt is None:
        raise Http404
    return attempt


def attempt_own(*, user: Any, attempt_id: int) -> Attempt:
    """Only the learner's own attempt: nobody starts or submits for someone else."""
    attempt = Attempt.objects.select_related("quiz__activity__course", "enrollment__user").filter(
        pk=attempt_id, enrollment__user=person_id(user)).first()
    if attempt is None:
        raise Http404
    return attempt


def answers_revealed(*, attempt: Attempt, actor: Any) -> bool:
    if attempt.status != Attempt.Status.SUBMITTED:
        return False
    if attempt.enrollment.user_id != person_id(actor):
        return True  # staff in scope (attempt_get already checked)
    reveal = attempt.quiz.reveal_answers
    if reveal == Quiz.Reveal.AFTER_SUBMISSION:
        return True
    if reveal == Quiz.Reveal.NEVER:
        return False
    summary = learner_summary(quiz=attempt.quiz, enrollment=attempt.enrollment)
    return summary["passed"] or (summary["attempts_left"] == 0 and summary["open_attempt"] is None)


def attempt_detail(*, attempt: Attempt, actor: Any) -> dict[str, Any]:
    """The attempt as its viewer may see it: questions in the attempt's order, the answer key only
    when revealed. A constant number of queries whatever the number of questions."""
    revealed = answers_revealed(attempt=attempt, actor=actor)
    ids = [entry["question"] for entry in attempt.layout]
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")}
    answers = {a.question_id: a for a in attempt.answers.all()} if attempt.status == Attempt.Status.SUBMITTED else {}
    rows = []
    for entry in attempt.layout:
        question = questions.get(entry["question"])
        if question is None:
            continue
        choices = {c.pk: c for c in question.choices.all()}
        answer = answers.get(question.pk)
        rows.append({
            "id": question.pk, "kind": question.kind, "prompt": question.prompt, "points": question.points,
            "choices": [
                {"id": c.pk, "text": c.text, "correct": c.is_correct if revealed else None,
                 "feedback": (c.feedback or None) if revealed else None}
                for c in (choices.get(pk) for pk in entry["choices"]) if c is not None
            ],
            "answer": {"choices": answer.choices, "text": answer.text} if answer else None,
            "result": {
                "correct": answer.is_correct if answer else False,
                "points": answer.points if answer else 0,
                "accepted_answers": question.accepted_answers if question.kind == Question.Kind.SHORT_TEXT else [],
                "feedback": question.feedback,
            } if revealed else None,
        })
    return {**attempt_row(attempt), "answers_revealed": revealed, "questions": rows}


def attempt_row(attempt: Attempt) -> dict[str, Any]:
    activity = attempt.quiz.activity
    user = attempt.enrollment.user
    return {
        "id": attempt.pk, "activity_id": activity.pk, "quiz_title": activity.title, "course": activity.course.slug,
        "learner": {"id": user.pk, "email": user.email, "name": user.display_name},
        "number": attempt.number, "status": attempt.effective_status, "started_at": attempt.started_at,
        "deadline": attempt.deadline, "submitted_at": attempt.submitted_at, "points": attempt.points,
        "max_points": attempt.max_points, "score": attempt.score, "passed": attempt.passed,
    }


def quiz_statistics(*, quiz: Quiz) -> dict[str, Any]:
    """Per question: how many submitted attempts showed it, answered it, got it right or partly right."""
    summary = Attempt.objects.filter(quiz=quiz, status=Attempt.Status.SUBMITTED).aggregate(
        submitted=Count("id"), passed=Count("id", filter=Q(passed=True)), average=Avg("score"),
        learners=Count("enrollment", distinct=True),
    )
    questions = quiz.questions.annotate(
        shown=Count("answers"), answered=Count("answers", filter=Q(answers__answered=True)),
        correct=Count("answers", filter=Q(answers__is_correct=True)),
        partial=Count("answers", filter=Q(answers__is_correct=False, answers__points__gt=0)),
        average_points=Avg("answers__points"),
    ).order_by("position", "id")
    rows = []
    for question in questions:
        rows.append({
            "id": question.pk, "position": question.position, "kind": question.kind, "prompt": question.prompt,
            "points": question.points, "shown": question.shown, "answered": question.answered,
            "correct": question.correct, "partial": question.partial,
            "correct_rate": round(question.correct / question.shown, 4) if question.shown else None,
            "average_points": round(float(question.average_points), 2) if question.average_points is not None
            else None,
        })
    average = summary["average"]
    return {"activity_id": quiz.activity_id, "attempts": summary["submitted"], "learners": summary["learners"],
            "passed": summary["passed"], "average_score": round(float(average), 2) if average is not None else None,
            "questions": rows}


def quiz_document(*, quiz: Quiz) -> dict[str, Any]:
    """The quiz as a JSON document that ``services.quiz_import_json`` reads back."""
    questions = quiz.questions.prefetch_related("choices").order_by("position", "id")
    document: dict[str, Any] = {
        "format": DOCUMENT_FORMAT, "version": DOCUMENT_VERSION, "title": quiz.activity.title,
        "instructions": quiz.instructions,
        "passing_score": quiz.passing_score, "max_attempts": quiz.max_attempts,
        "time_limit_seconds": quiz.time_limit_seconds, "shuffle_questions": quiz.shuffle_questions,
        "shuffle_choices": quiz.shuffle_choices, "questions_per_attempt": quiz.questions_per_attempt,
        "reveal_answers": quiz.reveal_answers, "questions": [],
    }
    for question in questions:
        entry: dict[str, Any] = {"kind": question.kind, "prompt": question.prompt, "points": question.points,
                                 "feedback": question.feedback}
        if question.kind == Question.Kind.SHORT_TEXT:
            entry["accepted_answers"] = list(question.accepted_answers)
        else:
            entry["choices"] = [{"text": c.text, "correct": c.is_correct, "feedback": c.feedback}
                                for c in question.choices.all()]
        document["questions"].append(entry)
    return document


def access_quiz_manage(*, actor: Any, activity_id: int) -> Quiz:
    """The quiz, for its course's managers: 404 when the actor may not see it, 403 when they may not manage it."""
    access = quiz_access(actor=actor, activity_id=activity_id)
    if not access.can_manage:
        raise Forbidden("Only the course's instructors and its organization's admins may do this.")
    return access.quiz


def access_quiz_import(*, actor: Any, activity_id: int) -> Activity:
    """The quiz activity, for importing a quiz into it: 404 when invisible, 403 unless the actor manages it."""
    activity, can_manage = quiz_activity_access(actor=actor, activity_id=activity_id)
    if not can_manage:
        raise Forbidden("Only the course's instructors and its organization's admins may import quizzes.")
    return activity


def quiz_report(*, quiz: Quiz) -> dict[str, Any]:
    """The quiz response report (``item_analysis``) over each learner's **first submitted attempt**: later
    attempts are left out, since a learner who has seen the answers would make every question look easier.
    Three queries whatever the number of attempts: the questions, their choices, the answers."""
    questions = list(quiz.questions.order_by("position", "id").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))))
    earlier = Attempt.objects.filter(quiz=quiz, enrollment_id=OuterRef("attempt__enrollment_id"),
                                     status=Attempt.Status.SUBMITTED, number__lt=OuterRef("attempt__number"))
    answers = (AttemptAnswer.objects.filter(attempt__quiz=quiz, attempt__status=Attempt.Status.SUBMITTED)
               .filter(~Exists(earlier)).order_by("attempt__submitted_at", "attempt_id")
               .values_list("attempt_id", "question_id", "points", "is_correct", "choices", "answered"))
    responses = [item_analysis.ItemResponse(attempt=attempt_id, question=question_id, points=points,
                                            is_correct=is_correct, answered=answered,
                                            choices=[c for c in picked if isinstance(c, int)]
                                            if isinstance(picked, list) else [])
                 for attempt_id, question_id, points, is_correct, picked, answered in answers]
    items = [item_analysis.ItemQuestion(id=q.pk, prompt=q.prompt, kind=q.kind, points=q.points,
                                        choices=[item_analysis.ItemChoice(id=c.pk, text=c.text,
                                                                          is_correct=c.is_correct)
                                                 for c in q.choices.all()])
             for q in questions]
    report = item_analysis.item_analysis(items, responses)
    return {"activity_id": quiz.activity_id, "title": quiz.activity.title, "basis": "first_attempt", **report}
def access_quiz_edit(*, actor: Any, activity_id: int) -> tuple[Activity, Quiz | None]:
    """A quiz activity and its quiz (None before one is written), for its course's managers: 404 when the actor may
    not see it or it is no quiz activity, 403 unless they manage its course."""
    activity = access_quiz_import(actor=actor, activity_id=activity_id)
    if activity.kind != Activity.Kind.QUIZ:
        raise Http404
    quiz = Quiz.objects.filter(activity=activity).first()
    if quiz is not None:
        quiz.activity = activity
    return activity, quiz


def quiz_editor_questions(*, quiz: Quiz | None) -> list[Question]:
    """Every question of the quiz with its choices, in order (two queries whatever their number)."""
    if quiz is None:
        return []
    return list(quiz.questions.prefetch_related("choices").order_by("position", "id"))


def access_question_manage(*, actor: Any, activity_id: int, question_id: int) -> Question:
    """One question of a quiz the actor manages (as ``access_quiz_edit``), with its choices; 404 for another's."""
    _activity, quiz = access_quiz_edit(actor=actor, activity_id=activity_id)
    if quiz is None:
        raise Http404
    question = Question.objects.prefetch_related("choices").filter(quiz=quiz, pk=question_id).first()
    if question is None:
        raise Http404
    question.quiz = quiz
    return question
