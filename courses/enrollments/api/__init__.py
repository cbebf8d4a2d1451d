"""Enrollments API: enroll, bulk enroll, list and read enrollments, withdraw, complete an activity,
heartbeat, video watch progress."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Activity
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments import services
from courses.enrollments.errors import EnrollmentErrorCode
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.services import parse_emails_csv, watching
from courses.errors import CoursesErrorCode
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError
from lms.filters import StrictBooleanFilter
from lms.pagination import PageNumberPagination
from lms.parsers import JSONParser
from lms.permissions import IsPerson
from lms.selectors import none_of, organization_from_slug
from lms.serializers import ModelSerializer, Serializer


class ActivityProgressSerializer(Serializer):
    activity_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    module = serializers.CharField()
    required = serializers.BooleanField()
    status = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    attempts = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    time_spent_seconds = serializers.IntegerField()


class EnrollmentSerializer(ModelSerializer):
    course = serializers.SerializerMethodField()
    learner = serializers.SerializerMethodField()
    organization = serializers.CharField(source="organization.slug", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Enrollment
        fields = ["id", "course", "learner", "organization", "status", "enrolled_at", "due_at", "completed_at",
                  "withdrawn_at", "last_activity_at", "progress_percent", "final_score", "time_spent_seconds",
                  "updated_at"]

    def get_course(self, obj: Enrollment) -> dict:
        return {"slug": obj.course.slug, "title": obj.course.title, "language": obj.course.language}

    def get_learner(self, obj: Enrollment) -> dict:
        return {"id": obj.user_id, "email": obj.user.email, "name": obj.user.display_name}


class EnrollmentDetailSerializer(EnrollmentSerializer):
    activities = serializers.SerializerMethodField()
    next_activity = serializers.SerializerMethodField()

    class Meta(EnrollmentSerializer.Meta):
        fields = [*EnrollmentSerializer.Meta.fields, "activities", "next_activity"]

    def get_activities(self, obj: Enrollment) -> list[dict]:
        progress: dict[int, ActivityProgress] = self.context["progress"]
        rows = []
        for activity in self.context["activities"]:
            row = progress.get(activity.pk)
            rows.append({
                "activity_id": activity.pk, "title": activity.title, "kind": activity.kind,
                "module": activity.module.title, "required": activity.required,
                "status": row.status if row else ActivityProgress.Status.NOT_STARTED,
                "score": row.score if row else None, "attempts": row.attempts if row else 0,
                "completed_at": row.completed_at if row else None,
                "time_spent_seconds": row.time_spent_seconds if row else 0,
            })
        return ActivityProgressSerializer(rows, many=True).data

    def get_next_activity(self, obj: Enrollment) -> dict | None:
        activity = self.context.get("next_activity")
        return {"id": activity.pk, "title": activity.title, "kind": activity.kind} if activity else None


class EnrollApi(APIView):
    """Enroll yourself. A repeat returns the same enrollment (200 instead of 201)."""
    error_codes = (CoursesErrorCode.COURSE_NOT_FOUND, EnrollmentErrorCode.COURSE_NOT_PUBLISHED,
                   EnrollmentErrorCode.NOT_A_MEMBER, PlatformErrorCode.ORGANIZATION_NOT_FOUND)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        organization = serializers.SlugField(required=False, help_text=(
            "For a public course: which of your organizations you take it for (default: your first)."))

    @extend_schema(request=InputSerializer, responses={200: EnrollmentSerializer, 201: EnrollmentSerializer},
                   tags=["enrollments"])
    def post(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = None
        if data.validated_data.get("organization"):
            organization = organization_from_slug(slug=data.validated_data["organization"])
        enrollment, created = services.enrollment_create(user=request.user, course=course, organization=organization)
        return Response(EnrollmentSerializer(enrollment).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BulkEnrollApi(APIView):
    """Enroll many people at once: JSON ``{"emails": [...]}`` or a CSV file with an ``email`` column.

    Each row stands alone and gets its own result (enrolled, already_enrolled, reactivated,
    error); sending the same list again enrolls nobody twice.
    """
    error_codes = (EnrollmentErrorCode.COURSE_NOT_PUBLISHED, EnrollmentErrorCode.NO_ROWS, PlatformErrorCode.EMPTY_FILE,
                   PlatformErrorCode.FILE_TOO_LARGE, PlatformErrorCode.INVALID_CSV, PlatformErrorCode.INVALID_ENCODING,
                   PlatformErrorCode.MISSING_COLUMNS, PlatformErrorCode.ORGANIZATION_NOT_FOUND,
                   PlatformErrorCode.TOO_MANY_ROWS)

    permission_classes = [IsPerson]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(Serializer):
        emails = serializers.ListField(child=serializers.CharField(max_length=254, allow_blank=True),
                                       required=False, max_length=5000)
        file = serializers.FileField(required=False, help_text="CSV with an 'email' column (UTF-8).")
        organization = serializers.SlugField(required=False)

        def validate(self, attrs):
            if bool(attrs.get("emails")) == bool(attrs.get("file")):
                raise serializers.ValidationError("Send either 'emails' or 'file'.",
                                                  code=EnrollmentErrorCode.EMAILS_OR_FILE)
            return attrs

    class JsonInputSerializer(InputSerializer):
        # JSON cannot carry a file: the addresses only.
        file = None

    class OutputSerializer(Serializer):
        enrolled = serializers.IntegerField()
        already_enrolled = serializers.IntegerField()
        reactivated = serializers.IntegerField()
        errors = serializers.IntegerField()
        rows = serializers.ListField(child=serializers.DictField())

    @extend_schema(request={"application/json": JsonInputSerializer, "multipart/form-data": InputSerializer},
                   responses=OutputSerializer, tags=["enrollments"])
    def post(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        emails = data.validated_data.get("emails") or []
        upload = data.validated_data.get("file")
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                raise ApplicationError("The file is larger than 2 MB.", code=PlatformErrorCode.FILE_TOO_LARGE,
                                       status_code=413)
            emails = parse_emails_csv(upload.read())
        organization = None
        if data.validated_data.get("organization"):
            organization = organization_from_slug(slug=data.validated_data["organization"])
        rows = services.enrollments_bulk_create(actor=request.user, course=course, emails=emails,
                                                organization=organization)
        counts = {key: sum(1 for row in rows if row["result"] == key)
                  for key in ("enrolled", "already_enrolled", "reactivated", "error")}
        return Response({"enrolled": counts["enrolled"], "already_enrolled": counts["already_enrolled"],
                         "reactivated": counts["reactivated"], "errors": counts["error"], "rows": rows})


class EnrollmentFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__slug")
    status = django_filters.ChoiceFilter(choices=Enrollment.Status.choices)
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only the caller's own enrollments.")

    class Meta:
        model = Enrollment
        fields = ["course", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        user_id = getattr(self.request.user, "pk", None)
        return queryset.filter(user_id=user_id) if value else queryset.exclude(user_id=user_id)


class EnrollmentListApi(GenericAPIView):
    """Your enrollments, and those you may see as instructor, supervisor, HR or org admin."""

    serializer_class = EnrollmentSerializer
    pagination_class = PageNumberPagination
    filterset_class = EnrollmentFilter
    queryset = none_of(Enrollment)

    def get_queryset(self):
        return enrollment_selectors.enrollments_visible_to(actor=self.request.user).order_by("-enrolled_at", "-id")

    @extend_schema(responses=EnrollmentSerializer(many=True), tags=["enrollments"])
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class EnrollmentDetailApi(APIView):
    @extend_schema(responses=EnrollmentDetailSerializer, tags=["enrollments"])
    def get(self, request, enrollment_id: int):
        enrollment, activities, progress = enrollment_selectors.enrollment_with_progress(
            actor=request.user, enrollment_id=enrollment_id)
        context = {"activities": activities, "progress": progress,
                   "next_activity": enrollment_selectors.next_activity(activities, progress)}
        return Response(EnrollmentDetailSerializer(enrollment, context=context).data)


class EnrollmentWithdrawApi(APIView):
    """Withdraw from an active course (yourself, or as its instructor, HR or org admin)."""
    error_codes = (EnrollmentErrorCode.CANNOT_WITHDRAW,)

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses=EnrollmentSerializer, tags=["enrollments"])
    def post(self, request, enrollment_id: int):
        enrollment = enrollment_selectors.access_enrollment_withdraw(actor=request.user, enrollment_id=enrollment_id)
        return Response(EnrollmentSerializer(services.enrollment_withdraw(enrollment=enrollment)).data)


def _own_enrollment_and_activity(request, enrollment_id: int, activity_id: int) -> tuple[Enrollment, Activity]:
    return enrollment_selectors.enrollment_own_activity(user=request.user, enrollment_id=enrollment_id,
                                                        activity_id=activity_id)


class ActivityCompleteApi(APIView):
    """Mark a lesson done (lessons only; quizzes, role-plays and workshops complete through their own flows)."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_FOUND, EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                   EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE, EnrollmentErrorCode.INVALID_SCORE,
                   EnrollmentErrorCode.INVALID_TIME, EnrollmentErrorCode.NOT_A_LESSON)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        time_spent_seconds = serializers.IntegerField(min_value=0, max_value=86_400, default=0,
                                                      help_text="Capped at 4 hours per report.")

    class OutputSerializer(Serializer):
        activity = ActivityProgressSerializer()
        enrollment = EnrollmentSerializer()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["enrollments"])
    def post(self, request, enrollment_id: int, activity_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        progress = services.lesson_complete_own(user=request.user, enrollment_id=enrollment_id,
                                                activity_id=activity_id, **data.validated_data)
        return Response(_progress_body(progress.enrollment, progress.activity, progress))


class ActivityHeartbeatApi(APIView):
    """Report time spent on an activity while the learner is on it (at most 300 seconds per beat)."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_FOUND, EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                   EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE, EnrollmentErrorCode.INVALID_TIME)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        seconds = serializers.IntegerField(min_value=0, max_value=3600)

    @extend_schema(request=InputSerializer, responses=ActivityCompleteApi.OutputSerializer, tags=["enrollments"])
    def post(self, request, enrollment_id: int, activity_id: int):
        enrollment, activity = _own_enrollment_and_activity(request, enrollment_id, activity_id)  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        progress = services.activity_heartbeat(enrollment=enrollment, activity=activity, **data.validated_data)
        return Response(_progress_body(progress.enrollment, activity, progress))


# One serializer of each kind, built once: a ModelSerializer builds its fields again for every instance,
# which was a tenth of a progress write. Neither reads its context, and ``to_representation`` keeps no
# state between calls, so the threads of a worker can share them.
_PROGRESS_SHAPE = ActivityProgressSerializer()
_ENROLLMENT_SHAPE = EnrollmentSerializer()


def _progress_body(enrollment: Enrollment, activity: Activity, progress) -> dict:
    row = {"activity_id": activity.pk, "title": activity.title, "kind": activity.kind,
           "module": activity.module.title, "required": activity.required, "status": progress.status,
           "score": progress.score, "attempts": progress.attempts, "completed_at": progress.completed_at,
           "time_spent_seconds": progress.time_spent_seconds}
    return {"activity": _PROGRESS_SHAPE.to_representation(row),
            "enrollment": _ENROLLMENT_SHAPE.to_representation(enrollment)}


class VideoWatchApi(APIView):
    """Report the parts of a lesson's video the learner has played, as `[start, end]` ranges in seconds (the
    player's `played` ranges). Parts already reported count once, so sending the same ranges again changes
    nothing; the newly watched seconds go to the time spent, and the lesson is completed once 90% of the video
    has been watched."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_FOUND, EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                   EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE, EnrollmentErrorCode.INVALID_TIME,
                   EnrollmentErrorCode.NOT_A_LESSON, EnrollmentErrorCode.NOT_A_VIDEO)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        ranges = serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField(min_value=0, max_value=86_400),
                                        min_length=2, max_length=2),
            max_length=watching.MAX_RANGES)

    class OutputSerializer(Serializer):
        seconds_watched = serializers.IntegerField()
        duration_seconds = serializers.IntegerField(help_text="0 when the video's length is not known.")
        completed = serializers.BooleanField(help_text="The lesson is done (watched, or marked complete).")

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["enrollments"])
    def post(self, request, enrollment_id: int, activity_id: int):
        enrollment, activity = _own_enrollment_and_activity(request, enrollment_id, activity_id)  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = watching.lesson_video_watched(enrollment=enrollment, activity=activity, **data.validated_data)
        return Response(self.OutputSerializer(result).data)
