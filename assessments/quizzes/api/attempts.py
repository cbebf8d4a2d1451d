"""Quiz attempts: yours, and those in the courses you manage; submitting yours."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.quizzes import selectors
from assessments.quizzes.api.serializers import (
    MAX_ID,
    AttemptDetailSerializer,
    AttemptSerializer,
    SubmittedAnswerSerializer,
)
from assessments.quizzes.errors import QuizErrorCode
from assessments.quizzes.models import Attempt
from assessments.quizzes.services import attempts as services
from assessments.quizzes.services.attempts import MAX_ANSWERS
from courses.enrollments.errors import EnrollmentErrorCode
from lms.filters import Int64Filter, StrictBooleanFilter
from lms.pagination import CursorPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import Serializer


class AttemptFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="quiz__activity__course__slug", help_text="A course's slug.")
    activity = Int64Filter(field_name="quiz__activity_id", min_value=0, max_value=MAX_ID)
    status = django_filters.ChoiceFilter(choices=Attempt.Status.choices, field_name="status")
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only the caller's own attempts.")

    class Meta:
        model = Attempt
        fields = ["course", "activity", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        user_id = getattr(self.request.user, "pk", None)
        condition = {"enrollment__user_id": user_id}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)


class AttemptListApi(GenericAPIView):
    """Your attempts, and as a course's instructor or org admin its learners' attempts; newest first."""

    permission_classes = [IsPerson]
    serializer_class = AttemptSerializer
    pagination_class = CursorPagination
    filterset_class = AttemptFilter
    queryset = none_of(Attempt)

    def get_queryset(self):
        return selectors.attempts_visible_to(actor=self.request.user).order_by("-id")

    @extend_schema(responses=AttemptSerializer(many=True), tags=["quizzes"])
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            self.get_serializer([selectors.attempt_row(attempt) for attempt in page], many=True).data)


class AttemptDetailApi(APIView):
    """One attempt: its questions in its order; the answer key only as the quiz allows."""

    permission_classes = [IsPerson]

    @extend_schema(responses=AttemptDetailSerializer, tags=["quizzes"])
    def get(self, request, attempt_id: int):
        attempt = selectors.attempt_get(actor=request.user, attempt_id=attempt_id)
        return Response(AttemptDetailSerializer(selectors.attempt_detail(attempt=attempt, actor=request.user)).data)


class AttemptSubmitApi(APIView):
    """Submit your attempt once; it is graded on the server. Submitting again returns the same result."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE,
                   EnrollmentErrorCode.INVALID_SCORE, EnrollmentErrorCode.INVALID_TIME, QuizErrorCode.ATTEMPT_EXPIRED,
                   QuizErrorCode.DUPLICATE_ANSWER, QuizErrorCode.DUPLICATE_CHOICE, QuizErrorCode.INVALID_ANSWER,
                   QuizErrorCode.TOO_MANY_ANSWERS, QuizErrorCode.TOO_MANY_CHOICES, QuizErrorCode.UNKNOWN_CHOICE,
                   QuizErrorCode.UNKNOWN_QUESTION, QuizErrorCode.WRONG_ANSWER_KIND)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        answers = serializers.ListSerializer(
            child=SubmittedAnswerSerializer(), max_length=MAX_ANSWERS, allow_empty=True,
            help_text="One entry per answered question; unanswered questions earn 0.")

    @extend_schema(request=InputSerializer, responses=AttemptDetailSerializer, tags=["quizzes"])
    def post(self, request, attempt_id: int):
        attempt = selectors.attempt_own(user=request.user, attempt_id=attempt_id)  # 404 before judging input
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attempt_submit(attempt=attempt, answers=data.validated_data["answers"])
        attempt = selectors.attempt_own(user=request.user, attempt_id=attempt_id)
        return Response(AttemptDetailSerializer(selectors.attempt_detail(attempt=attempt, actor=request.user)).data)
