"""The gradebook by API, for a course's managers: learners by activities (paginated, the page's filters), one
learner's detail with its history, and the writes: an override of a result, an extension."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.enrollments.errors import EnrollmentErrorCode
from courses.enrollments.models import Enrollment, Extension
from courses.enrollments.selectors import gradebook as selectors
from courses.enrollments.services import gradebook as services
from lms.error_codes import PlatformErrorCode
from lms.fields import Int64Field
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.privacy.access_services import Channel, access_record
from lms.selectors import none_of
from lms.serializers import Serializer

TAGS = ["gradebook"]


class GradebookQuerySerializer(Serializer):
    reads_query_string = True  # see lms.serializers.StrictInput
    department = Int64Field(required=False, min_value=1, help_text="Department id.")
    status = serializers.ChoiceField(choices=Enrollment.Status.choices, required=False)
    overdue = serializers.ChoiceField(choices=["true", "false"], required=False,
                                      help_text="true: active and past the due date; false: the others.")
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="name",
                                   help_text="name, progress, final_score or due; a leading '-' reverses.")

    def filters(self) -> selectors.GradebookFilters:
        data = self.validated_data
        overdue = {"true": True, "false": False}.get(data.get("overdue", ""))
        return selectors.GradebookFilters(department=data.get("department"), status=data.get("status", ""),
                                          overdue=overdue, sort=data["sort"])


class GradebookCellSerializer(Serializer):
    activity_id = serializers.IntegerField(source="activity.pk")
    status = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    attempts = serializers.IntegerField(help_text="Results recorded (for a quiz: attempts submitted).")


class GradebookActivitySerializer(GradebookCellSerializer):
    title = serializers.CharField(source="activity.title")
    kind = serializers.CharField(source="activity.kind")
    required = serializers.BooleanField(source="activity.required")


class GradebookLearnerSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    email = serializers.EmailField()
    name = serializers.CharField(source="display_name")


class GradebookRowSerializer(Serializer):
    enrollment_id = serializers.IntegerField(source="enrollment.pk")
    learner = GradebookLearnerSerializer(source="enrollment.user")
    department = serializers.CharField()
    status = serializers.CharField(source="enrollment.status")
    progress_percent = serializers.IntegerField(source="enrollment.progress_percent")
    final_score = serializers.DecimalField(source="enrollment.final_score", max_digits=5, decimal_places=2,
                                           allow_null=True)
    due_at = serializers.DateTimeField(source="enrollment.due_at", allow_null=True)
    overdue = serializers.BooleanField()
    cells = GradebookCellSerializer(many=True)


class GradeOverrideSerializer(Serializer):
    id = serializers.IntegerField()
    activity_id = serializers.IntegerField()
    changed_by = serializers.EmailField(source="changed_by.email", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    old_status = serializers.CharField()
    new_status = serializers.CharField()
    old_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    new_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    reason = serializers.CharField()


class GradebookExtensionSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    activity_id = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    previous_due_at = serializers.DateTimeField(allow_null=True)
    granted_by = serializers.EmailField(source="granted_by.email", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()


class GradebookLearnerDetailSerializer(GradebookRowSerializer):
    cells = None  # type: ignore[assignment]
    activities = GradebookActivitySerializer(many=True, source="cells")
    overrides = GradeOverrideSerializer(many=True)
    extensions = GradebookExtensionSerializer(many=True)


class GradebookApi(GenericAPIView):
    """The course's learners by activities, 50 a page: each activity's status, score and attempts, the
    enrollment's percent, final score, due date and whether it is overdue. The course's instructors and its
    organization's admins only."""

    permission_classes = [IsPerson]
    pagination_class = PageNumberPagination
    serializer_class = GradebookRowSerializer
    queryset = none_of(Enrollment)

    @extend_schema(parameters=[GradebookQuerySerializer], responses=GradebookRowSerializer(many=True), tags=TAGS)
    def get(self, request, slug: str):
        course = selectors.access_gradebook(actor=request.user, slug=slug)
        query = GradebookQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.gradebook_enrollments(course=course, filters=query.filters()))
        rows = selectors.gradebook_rows(list(page or []), selectors.gradebook_activities(course=course))
        access_record(actor=request.user, organization={row.enrollment.organization_id for row in rows},
                      channel=Channel.API, what="gradebook", people=len(rows),
                      detail={"course": course.slug, **query.filters().as_json()})
        return self.get_paginated_response(GradebookRowSerializer(rows, many=True).data)


def _detail(request, course, enrollment_id: int) -> dict:
    detail = selectors.gradebook_learner(course=course, enrollment_id=enrollment_id)
    access_record(actor=request.user, organization=detail.enrollment.organization_id, channel=Channel.API,
                  what="gradebook.learner", subject=detail.enrollment.user_id, detail={"course": course.slug})
    row = detail.row
    row.overrides, row.extensions = detail.overrides, detail.extensions
    return GradebookLearnerDetailSerializer(row).data


class GradebookLearnerApi(APIView):
    """One learner's line of the gradebook: every activity, and the overrides and extensions given."""

    permission_classes = [IsPerson]

    @extend_schema(responses=GradebookLearnerDetailSerializer, tags=TAGS)
    def get(self, request, slug: str, enrollment_id: int):
        course = selectors.access_gradebook(actor=request.user, slug=slug)
        return Response(_detail(request, course, enrollment_id))


class GradeOverrideApi(APIView):
    """Set an activity's score and/or mark it passed for this learner, with a reason. It counts as one more
    result (completion, the certificate and reports follow); a pass is never undone and the best score is kept.
    The change is kept in the learner's history."""

    permission_classes = [IsPerson]
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_FOUND, EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                   EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE, EnrollmentErrorCode.INVALID_SCORE,
                   EnrollmentErrorCode.OVERRIDE_EMPTY, EnrollmentErrorCode.OVERRIDE_NO_CHANGE,
                   PlatformErrorCode.REQUIRED)

    class InputSerializer(Serializer):
        activity = Int64Field(min_value=1, help_text="The activity's id.")
        score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                         allow_null=True)
        passed = serializers.BooleanField(required=False, default=False)
        reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: GradeOverrideSerializer}, tags=TAGS)
    def post(self, request, slug: str, enrollment_id: int):
        course = selectors.access_gradebook(actor=request.user, slug=slug)
        enrollment = selectors.gradebook_enrollment(course=course, enrollment_id=enrollment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activity = selectors.gradebook_activity(course=course, activity_id=values["activity"])
        override = services.grade_override(actor=request.user, enrollment=enrollment, activity=activity,
                                           score=values.get("score"), passed=values["passed"], reason=values["reason"])
        return Response(GradeOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class ExtensionApi(APIView):
    """Grant this learner a later due date (`due_date` with `due_at`), extra attempts at a quiz (`extra_attempt`
    with `activity` and `amount`) or more minutes on a quiz's clock (`extra_time` with `activity` and `amount`),
    with a reason. The quiz rules add them up; every extension is kept in the learner's history."""

    permission_classes = [IsPerson]
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_FOUND, EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE,
                   EnrollmentErrorCode.INVALID_EXTENSION, PlatformErrorCode.REQUIRED)

    class InputSerializer(Serializer):
        kind = serializers.ChoiceField(choices=Extension.Kind.choices)
        activity = Int64Field(min_value=1, required=False, help_text="The quiz (extra attempts or time).")
        amount = serializers.IntegerField(min_value=1, max_value=services.MAX_EXTRA_MINUTES, required=False,
                                          help_text="Extra attempts (at most 10) or extra minutes (at most 600).")
        due_at = serializers.DateTimeField(required=False, help_text="The new due date (ISO 8601).")
        reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: GradebookExtensionSerializer}, tags=TAGS)
    def post(self, request, slug: str, enrollment_id: int):
        course = selectors.access_gradebook(actor=request.user, slug=slug)
        enrollment = selectors.gradebook_enrollment(course=course, enrollment_id=enrollment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "activity" in values:
            values["activity"] = selectors.gradebook_activity(course=course, activity_id=values["activity"])
        extension = services.extension_grant(actor=request.user, enrollment=enrollment, **values)
        return Response(GradebookExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)
