"""Role-plays: scenarios, performances, the reviewer's queue, reviews, calibration, allocation, agreement."""
from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.errors import AssessmentErrorCode
from assessments.quizzes.api.serializers import MAX_ID
from assessments.roleplays import selectors
from assessments.roleplays.api import serializers as out
from assessments.roleplays.errors import RoleplayConflict, RoleplayError, RoleplayErrorCode
from assessments.roleplays.models import Performance
from assessments.roleplays.selectors import agreement as agreement_selectors
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments.errors import EnrollmentErrorCode
from lms.errors import NotFound
from lms.files import file_response
from lms.filters import Int64Filter, StrictBooleanFilter
from lms.pagination import CursorPagination, PageNumberPagination
from lms.parsers import JSONParser
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import Serializer

TAGS = ["role-plays"]


def _detail(request, performance: Performance) -> dict:
    body = selectors.performance_detail(actor=request.user, performance=performance)
    p = body["performance"]
    data = dict(out.PerformanceSerializer(p).data)
    data.update({"performer": body["performer"], "transcript": p.transcript, "link": p.link,
                 "session_reference": p.session_reference, "media_type": p.media_type, "media_size": p.media_size,
                 "reviews": out.ReviewSerializer(body["reviews"], many=True).data,
                 "breakdown": out.BreakdownSerializer(body["breakdown"]).data if body["breakdown"] else None,
                 "standing": out.StandingSerializer(body["standing"]).data,
                 "recording_consent": (out.ConsentSummarySerializer(body["recording_consent"]).data
                                       if body["recording_consent"] else None)})
    return data


class ScenarioListApi(GenericAPIView):
    """Role-play scenarios of the courses you are enrolled in or manage."""

    permission_classes = [IsPerson]
    serializer_class = out.ScenarioSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return selectors.scenarios_visible_to(actor=self.request.user).order_by("id")

    @extend_schema(responses=out.ScenarioSerializer(many=True), tags=TAGS)
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ScenarioDetailApi(APIView):
    """A scenario with its persona, empathic opportunities, instructions, weights and full rubric."""

    permission_classes = [IsPerson]

    @extend_schema(responses=out.ScenarioDetailSerializer, tags=TAGS)
    def get(self, request, scenario_id: int):
        return Response(out.ScenarioDetailSerializer(
            selectors.scenario_get(actor=request.user, scenario_id=scenario_id)).data)


class PerformanceCreateApi(APIView):
    """Perform the scenario: a transcript, an audio or video file (multipart, checked by content), an https
    link, or a live performance's workshop session reference. A file, or a link to a recording kept elsewhere,
    needs the learner's consent: send ``recording_consent`` with the current consent text's version."""
    error_codes = (AssessmentErrorCode.ENROLLMENT_REQUIRED, RoleplayErrorCode.INVALID_MEDIA,
                   RoleplayErrorCode.INVALID_PERFORMANCE, RoleplayErrorCode.MEDIA_TOO_LARGE,
                   RoleplayErrorCode.PERFORMANCE_PENDING, RoleplayErrorCode.RECORDING_CONSENT_REQUIRED)

    permission_classes = [IsPerson]
    parser_classes = [JSONParser, MultiPartParser]

    class InputSerializer(Serializer):
        transcript = serializers.CharField(required=False, allow_blank=True, max_length=50_000, trim_whitespace=False)
        media = serializers.FileField(required=False, help_text="Audio or video (multipart).")
        link = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                     help_text="An https link to a recording kept elsewhere (needs the consent).")
        session_reference = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                                  help_text="The workshop session of a live performance.")
        partner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                           help_text="The colleague who played the customer.")
        cohort = serializers.CharField(required=False, allow_blank=True, max_length=100)
        recording_consent = serializers.IntegerField(
            required=False, min_value=1, max_value=32767,
            help_text="With a file or a link: the version of the recording consent text you agree to (GET "
                      "/roleplays/recording-consent/); a recording without the current version is refused.")

    class JsonInputSerializer(InputSerializer):
        # JSON cannot carry a file: the same fields, without media.
        media = None

    @extend_schema(request={"application/json": JsonInputSerializer, "multipart/form-data": InputSerializer},
                   responses={201: out.PerformanceDetailSerializer}, tags=TAGS)
    def post(self, request, scenario_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scenario = selectors.scenario_get(actor=request.user, scenario_id=scenario_id)
        enrollment = enrollment_selectors.user_enrollment(user=request.user, course=scenario.activity.course)
        if enrollment is None:
            raise RoleplayConflict("Enroll in the course to perform this scenario.",
                                   code=AssessmentErrorCode.ENROLLMENT_REQUIRED)
        partner = None
        if "partner" in values:
            partner = selectors.user_find(user_id=values.pop("partner"))
            if partner is None:
                raise RoleplayError("The partner must be another member of your organization.",
                                    code=RoleplayErrorCode.INVALID_PERFORMANCE, fields={"partner": ["Unknown."]})
        upload = values.pop("media", None)
        media = (upload.read(), upload.name) if upload is not None else None
        performance = roleplay_performances.performance_submit(enrollment=enrollment, scenario=scenario, media=media,
                                                               partner=partner, **values)
        performance = selectors.performance_get(actor=request.user, performance_id=performance.pk)
        return Response(_detail(request, performance), status=status.HTTP_201_CREATED)


class PerformanceFilter(django_filters.FilterSet):
    scenario = Int64Filter(field_name="scenario_id", min_value=0, max_value=MAX_ID)
    status = django_filters.ChoiceFilter(choices=Performance.Status.choices)
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only your own performances.")

    class Meta:
        model = Performance
        fields = ["scenario", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        condition = {"enrollment__user_id": getattr(self.request.user, "pk", None)}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)


class PerformanceListApi(GenericAPIView):
    """Your performances; those allocated to you; your team's (supervisors); your courses' (instructors)."""

    permission_classes = [IsPerson]
    serializer_class = out.PerformanceSerializer
    pagination_class = CursorPagination
    filterset_class = PerformanceFilter
    queryset = none_of(Performance)

    def get_queryset(self):
        return selectors.performances_visible_to(actor=self.request.user).order_by("-id")

    @extend_schema(responses=out.PerformanceSerializer(many=True), tags=TAGS)
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PerformanceDetailApi(APIView):
    """One performance and the reviews you may see (peers anonymous to the performer), with the per-criterion
    breakdown and the self-review gap for the performer and staff."""

    permission_classes = [IsPerson]

    @extend_schema(responses=out.PerformanceDetailSerializer, tags=TAGS)
    def get(self, request, performance_id: int):
        return Response(_detail(request, selectors.performance_get(actor=request.user, performance_id=performance_id)))


class PerformanceMediaApi(APIView):
    """The uploaded recording, for whoever may see the performance."""
    error_codes = (RoleplayErrorCode.NO_MEDIA,)

    permission_classes = [IsPerson]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=TAGS)
    def get(self, request, performance_id: int):
        performance = selectors.performance_get(actor=request.user, performance_id=performance_id)
        if not performance.media:
            raise NotFound("This performance has no recording.", code=RoleplayErrorCode.NO_MEDIA)
        return file_response(performance.media, content_type=performance.media_type)


class ReviewInputSerializer(Serializer):
    scores = out.ReviewScoreSerializer(many=True, required=False, max_length=50,
                                       help_text="Every criterion, each with one of its levels' points.")
    comments = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    cared_for = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5,
                                         help_text="Partner only: how cared-for you felt, 1-5.")
    opportunity_codes = serializers.DictField(child=serializers.CharField(max_length=20), required=False,
                                              help_text="{opportunity key: dismissed|perfunctory|acknowledged|"
                                              "explored|confirmed}.")


class ReviewCreateApi(APIView):
    """Review a performance once: as its performer (self), an allocated peer, its partner, or its supervisor or
    instructor. Editable until the deadline with PUT /roleplays/reviews/{id}/."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE,
                   EnrollmentErrorCode.INVALID_SCORE, EnrollmentErrorCode.INVALID_TIME,
                   RoleplayErrorCode.CALIBRATION_REQUIRED, RoleplayErrorCode.INVALID_LEVEL,
                   RoleplayErrorCode.INVALID_REVIEW, RoleplayErrorCode.PERFORMANCE_NOT_FOUND,
                   RoleplayErrorCode.REVIEW_CLOSED, RoleplayErrorCode.REVIEW_EXISTS)

    permission_classes = [IsPerson]

    class InputSerializer(ReviewInputSerializer):
        role = serializers.ChoiceField(choices=["self", "peer", "supervisor", "partner"], required=False,
                                       help_text="When you could review in more than one role.")

    @extend_schema(request=InputSerializer, responses={201: out.PerformanceDetailSerializer}, tags=TAGS)
    def post(self, request, performance_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        performance = selectors.performance_get(actor=request.user, performance_id=performance_id)
        roleplay_reviews.review_submit(performance=performance, reviewer=request.user, scores=values.get("scores", []),
                                       comments=values.get("comments", ""), cared_for=values.get("cared_for"),
                                       opportunity_codes=values.get("opportunity_codes"), role=values.get("role"))
        performance = selectors.performance_get(actor=request.user, performance_id=performance_id)
        return Response(_detail(request, performance), status=status.HTTP_201_CREATED)


class ReviewUpdateApi(APIView):
    """Replace your review's scores, comments and codes, until its deadline."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE,
                   EnrollmentErrorCode.INVALID_SCORE, EnrollmentErrorCode.INVALID_TIME, RoleplayErrorCode.INVALID_LEVEL,
                   RoleplayErrorCode.INVALID_REVIEW, RoleplayErrorCode.REVIEW_CLOSED)

    permission_classes = [IsPerson]

    @extend_schema(request=ReviewInputSerializer, responses=out.PerformanceDetailSerializer, tags=TAGS)
    def put(self, request, review_id: int):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        review = selectors.review_get(actor=request.user, review_id=review_id)
        if review.performance.is_reference:
            raise NotFound("Not found.")
        roleplay_reviews.review_update(review=review, scores=values.get("scores", []), comments=values.get("comments"),
                               cared_for=values.get("cared_for"), opportunity_codes=values.get("opportunity_codes"))
        performance = selectors.performance_get(actor=request.user, performance_id=review.performance_id)
        return Response(_detail(request, performance))


class QueueApi(APIView):
    """What you owe and by when: calibration examples first, then pending reviews, soonest deadline first."""

    permission_classes = [IsPerson]

    @extend_schema(responses=out.QueueSerializer, tags=TAGS)
    def get(self, request):
        return Response(out.QueueSerializer(selectors.review_queue(actor=request.user)).data)


class CalibrationExamplesApi(APIView):
    """A scenario's calibration examples (expert scores for staff only); staff add one with its expert scores."""
    error_codes = {
        "post": (RoleplayErrorCode.INVALID_LEVEL, RoleplayErrorCode.INVALID_REVIEW),
    }

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200)
        transcript = serializers.CharField(max_length=50_000)
        link = serializers.URLField(required=False, allow_blank=True, max_length=500)
        scores = out.ReviewScoreSerializer(many=True, max_length=50, help_text="The experts' score per criterion.")

    @extend_schema(responses=out.CalibrationExampleSerializer(many=True), tags=TAGS)
    def get(self, request, scenario_id: int):
        scenario = selectors.scenario_get(actor=request.user, scenario_id=scenario_id)
        can_manage = selectors.scenario_can_manage(actor=request.user, scenario=scenario)
        rows = selectors.calibration_examples_for(actor=request.user, scenario=scenario, can_manage=can_manage)
        return Response(out.CalibrationExampleSerializer(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: out.CalibrationExampleSerializer(many=True)}, tags=TAGS)
    def post(self, request, scenario_id: int):
        # 404/403 before judging the body
        scenario = selectors.access_scenario_manage(actor=request.user, scenario_id=scenario_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roleplay_reviews.calibration_example_create(scenario=scenario, expert=request.user, **data.validated_data)
        rows = selectors.calibration_examples_for(actor=request.user, scenario=scenario, can_manage=True)
        return Response(out.CalibrationExampleSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class CalibrationReviewApi(APIView):
    """Score a calibration example (once); returns your agreement with the experts and your weight."""
    error_codes = (RoleplayErrorCode.INVALID_LEVEL, RoleplayErrorCode.INVALID_REVIEW, RoleplayErrorCode.REVIEW_EXISTS)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        scores = out.ReviewScoreSerializer(many=True, max_length=50)

    @extend_schema(request=InputSerializer, responses={201: out.CalibrationSerializer}, tags=TAGS)
    def post(self, request, example_id: int):
        example = selectors.calibration_example_visible(actor=request.user, example_id=example_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calibration = roleplay_reviews.calibration_review_submit(example=example, reviewer=request.user,
                                                                 scores=data.validated_data["scores"])
        return Response(out.CalibrationSerializer(calibration).data, status=status.HTTP_201_CREATED)


class AllocateApi(APIView):
    """Allocate peers to the scenario's waiting performances (staff). Too few peers: the supervisor stands in,
    recorded on each performance."""
    error_codes = (RoleplayErrorCode.INVALID_SCENARIO,)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        cohort = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                       help_text="Only this cohort's performances.")
        due_at = serializers.DateTimeField(required=False, help_text="Default: now + the scenario's review days.")

    @extend_schema(request=InputSerializer, responses={201: out.RoundSerializer}, tags=TAGS)
    def post(self, request, scenario_id: int):
        scenario = selectors.access_scenario_manage(actor=request.user, scenario_id=scenario_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = roleplay_performances.peer_allocate(scenario=scenario, actor=request.user, **data.validated_data)
        return Response(out.RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


class AssignmentReassignApi(APIView):
    """Give a pending or late review to someone else in the performer's organization (staff)."""
    error_codes = (RoleplayErrorCode.ALREADY_ASSIGNED, RoleplayErrorCode.ASSIGNMENT_CLOSED,
                   RoleplayErrorCode.INVALID_REVIEW, RoleplayErrorCode.REVIEWER_NOT_FOUND)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reviewer = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(request=InputSerializer, responses={201: out.AssignmentSerializer}, tags=TAGS)
    def post(self, request, assignment_id: int):
        assignment = selectors.access_assignment_manage(actor=request.user, assignment_id=assignment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviewer = selectors.user_find(user_id=data.validated_data["reviewer"])
        if reviewer is None:
            raise NotFound("No such reviewer.", code=RoleplayErrorCode.REVIEWER_NOT_FOUND)
        created = roleplay_performances.assignment_reassign(assignment=assignment, reviewer=reviewer)
        created = selectors.assignment_get(assignment_id=created.pk)
        return Response(out.AssignmentSerializer(created).data, status=status.HTTP_201_CREATED)


class AgreementApi(APIView):
    """Rater agreement on a rubric in the courses you manage: Krippendorff's alpha (ordinal) overall, per
    criterion and per cohort (department, booked workshop session, old label), each with its percentile-bootstrap
    95% interval over units and its n; flagged only when defined and under 0.667; each reviewer's leniency."""
    error_codes = (RoleplayErrorCode.INVALID_ROLEPLAY,)

    permission_classes = [IsPerson]

    class FilterSerializer(serializers.Serializer):
        scenario = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)
        cohort = serializers.CharField(required=False, allow_blank=True, max_length=100)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

        def validate(self, attrs):
            if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
                raise serializers.ValidationError({"to": ["On or after from."]})
            return attrs

    @extend_schema(parameters=[
        OpenApiParameter("scenario", {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                         description="Only this scenario's performances."),
        OpenApiParameter("cohort", str, description="session:<id> (its booked learners), department:<id> (the "
                         "performer's), or an old cohort label."),
        OpenApiParameter("from", OpenApiTypes.DATE, description="Performances submitted on or after this day."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Performances submitted on or before this day."),
    ], responses=out.AgreementSerializer, tags=TAGS)
    def get(self, request, rubric_id: int):
        rubric = selectors.rubric_for_report(actor=request.user, rubric_id=rubric_id)
        query = {key: request.query_params[name] for key, name in (
            ("scenario", "scenario"), ("cohort", "cohort"), ("date_from", "from"), ("date_to", "to"))
            if request.query_params.get(name)}  # an empty value is no filter
        data = self.FilterSerializer(data=query)
        if not data.is_valid():
            names = {"date_from": "from", "date_to": "to"}
            raise RoleplayError("Check the filters.", status_code=400,
                                fields={names.get(k, k): [str(e) for e in v] for k, v in data.errors.items()})
        filters = data.validated_data
        cohort = agreement_selectors.agreement_cohort(actor=request.user, cohort=filters.get("cohort"),
                                                      date_from=filters.get("date_from"),
                                                      date_to=filters.get("date_to"))
        body = agreement_selectors.agreement_report(actor=request.user, rubric=rubric,
                                                    scenario_id=filters.get("scenario"), cohort=cohort)
        body["rubric_obj"] = rubric
        return Response(out.AgreementSerializer(body).data)
