"""Empathy instruments, the before/after survey activities, and the HR empathy-growth report."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.errors import AssessmentErrorCode
from assessments.instruments import growth_report as reports
from assessments.instruments import selectors as survey_selectors
from assessments.instruments import services
from assessments.instruments.errors import InstrumentErrorCode
from assessments.instruments.models import Survey
from assessments.instruments.services import MAX_ITEMS
from assessments.quizzes.api.serializers import StrictIntegerField
from assessments.roleplays.api import serializers as out
from assessments.roleplays.errors import RoleplayConflict
from courses.catalog import selectors as catalog_selectors
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments.errors import EnrollmentErrorCode
from courses.enrollments.models import Enrollment
from lms.error_codes import PlatformErrorCode
from lms.models import Role
from lms.permissions import HasOrgRole, IsPerson
from lms.serializers import Serializer

TAGS = ["empathy instruments"]
READABLE = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


class InstrumentListApi(APIView):
    """Instruments you can use: ours and your organizations' own."""

    permission_classes = [IsPerson]

    @extend_schema(responses=out.InstrumentSerializer(many=True), tags=TAGS)
    def get(self, request):
        instruments = survey_selectors.instruments_visible_to(actor=request.user)
        return Response(out.InstrumentSerializer(instruments, many=True).data)


class InstrumentImportApi(APIView):
    """Import your organization's own licensed instrument as JSON (org admins and instructors); the same slug
    again becomes its next version. All or nothing."""
    error_codes = (InstrumentErrorCode.INVALID_INSTRUMENT, PlatformErrorCode.ORGANIZATION_NOT_FOUND)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        organization = serializers.SlugField(help_text="The importing organization's slug.")
        document = serializers.DictField(help_text='{"format": "empathy-lms/instrument", "version": 1, ...}')

    @extend_schema(request=InputSerializer, responses={201: out.InstrumentSerializer}, tags=TAGS)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = survey_selectors.access_instrument_import(
            actor=request.user, organization_slug=data.validated_data["organization"])
        instrument = services.instrument_import_json(document=data.validated_data["document"],
                                                     organization=organization)
        instrument = survey_selectors.instruments_visible_to(actor=request.user).get(pk=instrument.pk)
        return Response(out.InstrumentSerializer(instrument).data, status=status.HTTP_201_CREATED)


def _survey_access(request, activity_id: int) -> tuple[Survey, Enrollment | None]:
    survey = survey_selectors.survey_for_activity(activity_id=activity_id)
    if survey is None:
        raise Http404
    course = survey.activity.course
    enrollment = enrollment_selectors.user_enrollment(user=request.user, course=course)
    if enrollment is not None and enrollment.status not in READABLE:
        enrollment = None
    if enrollment is None and not catalog_selectors.course_can_manage(actor=request.user, course=course):
        raise Http404
    return survey, enrollment


def _survey_body(survey: Survey, enrollment: Enrollment | None) -> dict:
    state = survey_selectors.survey_state(survey=survey, enrollment=enrollment)
    return {"activity_id": survey.activity_id, "timing": survey.timing, "open": state.is_open,
            "instrument": state.instrument, "response": state.response}


class SurveyApi(APIView):
    """A survey activity: its instrument, whether you can answer now, and your answers once given."""

    permission_classes = [IsPerson]

    @extend_schema(responses=out.SurveySerializer, tags=TAGS)
    def get(self, request, activity_id: int):
        survey, enrollment = _survey_access(request, activity_id)
        return Response(out.SurveySerializer(_survey_body(survey, enrollment)).data)


class SurveyRespondApi(APIView):
    """Answer the survey once: before (from enrollment) or after (when every other required step is done)."""
    error_codes = (AssessmentErrorCode.ENROLLMENT_REQUIRED, EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE,
                   EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE, EnrollmentErrorCode.INVALID_SCORE,
                   EnrollmentErrorCode.INVALID_TIME, InstrumentErrorCode.INVALID_ANSWERS,
                   InstrumentErrorCode.SURVEY_ANSWERED, InstrumentErrorCode.SURVEY_NOT_OPEN)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        answers = serializers.DictField(child=StrictIntegerField(allow_null=True, min_value=-100, max_value=100),
                                        help_text="{item key: value on the scale, or null for N/A}.")

        def validate_answers(self, value):
            if len(value) > MAX_ITEMS:
                raise serializers.ValidationError(f"At most {MAX_ITEMS} answers.")
            return value

    @extend_schema(request=InputSerializer, responses={201: out.SurveySerializer}, tags=TAGS)
    def post(self, request, activity_id: int):
        survey, enrollment = _survey_access(request, activity_id)  # 404 before judging the body
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if enrollment is None:
            raise RoleplayConflict("Enroll in the course to answer this survey.",
                                   code=AssessmentErrorCode.ENROLLMENT_REQUIRED)
        services.survey_respond(survey=survey, enrollment=enrollment, answers=data.validated_data["answers"])
        return Response(out.SurveySerializer(_survey_body(survey, enrollment)).data, status=status.HTTP_201_CREATED)


class EmpathyGrowthApi(APIView):
    """Empathy growth for HR and org admins (and organization API keys): per course, cohort and department,
    before/after instrument scores (paired n, means, mean difference with its 95% CI, Cohen's d_z) and first/last
    role-play scores (normalized gain). Groups under 5 people are suppressed. Aggregates only."""

    permission_classes = [HasOrgRole.of(Role.HR, Role.ORG_ADMIN, allow_api_key=True)]

    @extend_schema(parameters=[OpenApiParameter("course", str, description="A course's slug.")],
                   responses=out.EmpathyGrowthSerializer, tags=["reports"])
    def get(self, request):
        course = request.query_params.get("course") or None
        return Response(out.EmpathyGrowthSerializer(reports.empathy_growth(actor=request.user,
                                                                           course_slug=course)).data)
