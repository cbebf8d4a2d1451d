"""A quiz activity: its settings for enrolled learners and staff, starting attempts, and for the
course's staff the per-question statistics and JSON export/import."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.errors import AssessmentErrorCode
from assessments.quizzes import selectors
from assessments.quizzes.api.serializers import (
    AttemptDetailSerializer,
    QuizDocumentSerializer,
    QuizReportSerializer,
    QuizSerializer,
    QuizStatisticsSerializer,
)
from assessments.quizzes.errors import AttemptConflict, QuizErrorCode
from assessments.quizzes.models import SUBMIT_GRACE
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import transfer as quiz_transfer
from lms.permissions import IsPerson


def _quiz_body(access: selectors.QuizAccess) -> dict:
    quiz, activity = access.quiz, access.quiz.activity
    return {
        "activity_id": activity.pk, "title": activity.title, "course": activity.course.slug,
        "module": activity.module.title, "required": activity.required, "instructions": quiz.instructions,
        "passing_score": quiz.passing_score, "max_attempts": quiz.max_attempts,
        "time_limit_seconds": quiz.time_limit_seconds, "submit_grace_seconds": int(SUBMIT_GRACE.total_seconds()),
        "questions_per_attempt": quiz.questions_per_attempt, "question_count": selectors.question_count(quiz=quiz),
        "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
        "reveal_answers": quiz.reveal_answers,
        "you": selectors.learner_summary(quiz=quiz, enrollment=access.enrollment) if access.enrollment else None,
    }


class QuizApi(APIView):
    """The quiz's settings and your attempts so far (never its questions' answers)."""

    permission_classes = [IsPerson]

    @extend_schema(responses=QuizSerializer, tags=["quizzes"])
    def get(self, request, activity_id: int):
        access = selectors.quiz_access(actor=request.user, activity_id=activity_id)
        return Response(QuizSerializer(_quiz_body(access)).data)


class AttemptStartApi(APIView):
    """Start an attempt (201), or resume your open one (200). The questions come without answers."""
    error_codes = (AssessmentErrorCode.ENROLLMENT_REQUIRED, QuizErrorCode.MAX_ATTEMPTS_REACHED,
                   QuizErrorCode.QUIZ_EMPTY, QuizErrorCode.QUIZ_NOT_FOUND)

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={200: AttemptDetailSerializer, 201: AttemptDetailSerializer},
                   tags=["quizzes"])
    def post(self, request, activity_id: int):
        access = selectors.quiz_access(actor=request.user, activity_id=activity_id)
        if access.enrollment is None:
            raise AttemptConflict("Enroll in the course to take this quiz.",
                                  code=AssessmentErrorCode.ENROLLMENT_REQUIRED)
        attempt, created = quiz_attempts.attempt_start(quiz=access.quiz, enrollment=access.enrollment)
        attempt = selectors.attempt_own(user=request.user, attempt_id=attempt.pk)
        body = selectors.attempt_detail(attempt=attempt, actor=request.user)
        return Response(AttemptDetailSerializer(body).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuizStatisticsApi(APIView):
    """Per-question results over submitted attempts, to find confusing questions (course staff)."""

    permission_classes = [IsPerson]

    @extend_schema(responses=QuizStatisticsSerializer, tags=["quizzes"])
    def get(self, request, activity_id: int):
        quiz = selectors.access_quiz_manage(actor=request.user, activity_id=activity_id)
        return Response(QuizStatisticsSerializer(selectors.quiz_statistics(quiz=quiz)).data)


class QuizReportApi(APIView):
    """The quiz response report (course staff): per question the choices' counts and shares, difficulty,
    discrimination (point-biserial against the rest score, upper/lower 27% index) and flags, over each learner's
    first submitted attempt."""

    permission_classes = [IsPerson]

    @extend_schema(responses=QuizReportSerializer, tags=["quizzes"])
    def get(self, request, activity_id: int):
        quiz = selectors.access_quiz_manage(actor=request.user, activity_id=activity_id)
        return Response(QuizReportSerializer(selectors.quiz_report(quiz=quiz)).data)


class QuizExportApi(APIView):
    """The quiz as a JSON document, answers included (course staff)."""

    permission_classes = [IsPerson]

    @extend_schema(responses=QuizDocumentSerializer, tags=["quizzes"])
    def get(self, request, activity_id: int):
        quiz = selectors.access_quiz_manage(actor=request.user, activity_id=activity_id)
        response = Response(selectors.quiz_document(quiz=quiz))
        response["Content-Disposition"] = f'attachment; filename="quiz-{activity_id}.json"'
        response["Cache-Control"] = "private, no-store"
        return response


class QuizImportApi(APIView):
    """Create (201) or replace (200) the quiz of a quiz activity from a JSON document, all or
    nothing (course staff). A quiz learners have attempted is not replaced (409)."""
    error_codes = (QuizErrorCode.INVALID_IMPORT, QuizErrorCode.INVALID_QUESTION, QuizErrorCode.INVALID_QUIZ,
                   QuizErrorCode.NOT_A_QUIZ, QuizErrorCode.QUIZ_HAS_ATTEMPTS)

    permission_classes = [IsPerson]

    @extend_schema(request=QuizDocumentSerializer, responses={200: QuizDocumentSerializer,
                                                              201: QuizDocumentSerializer}, tags=["quizzes"])
    def put(self, request, activity_id: int):
        activity = selectors.access_quiz_import(actor=request.user, activity_id=activity_id)
        quiz, created = quiz_transfer.quiz_import_json(activity=activity, document=request.data)
        return Response(selectors.quiz_document(quiz=quiz),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
