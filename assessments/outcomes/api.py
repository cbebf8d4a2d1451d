"""API of the customer-satisfaction link: import scores (CSV upload or JSON rows), list them, the report.

Reading (list, report): HR and org admins of the organization, and its API keys with ``reports:read``.
Importing: HR and org admins only, signed in as themselves; organization API keys cannot import (no key scope
writes scores yet). Another organization is not found (404).
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.outcomes import selectors, services
from assessments.outcomes.errors import OutcomeErrorCode
from assessments.outcomes.models import OutcomeScore
from assessments.outcomes.selectors import report as outcome_reports
from courses.hr_reports.errors import ReportErrorCode
from lms.error_codes import PlatformErrorCode
from lms.fields import Int64Field
from lms.models import Role
from lms.pagination import PageNumberPagination
from lms.parsers import JSONParser
from lms.permissions import HasOrgRole
from lms.selectors import none_of
from lms.serializers import Serializer

READERS = HasOrgRole.of(Role.HR, Role.ORG_ADMIN, allow_api_key=True)
WRITERS = HasOrgRole.of(Role.HR, Role.ORG_ADMIN)
_ORGANIZATION = serializers.SlugField(required=False, max_length=64,
                                      help_text="The organization's slug (needed when you report on several).")
_IMPORT_CODES = (PlatformErrorCode.EMPTY_FILE, PlatformErrorCode.FILE_TOO_LARGE, PlatformErrorCode.INVALID_CSV,
                 PlatformErrorCode.INVALID_ENCODING, PlatformErrorCode.MISSING_COLUMNS,
                 PlatformErrorCode.ORGANIZATION_NOT_FOUND, PlatformErrorCode.TOO_MANY_ROWS,
                 PlatformErrorCode.UNKNOWN_COLUMNS, OutcomeErrorCode.OUTCOME_INVALID_ROWS,
                 OutcomeErrorCode.OUTCOME_NO_ROWS,
                 ReportErrorCode.ORGANIZATION_REQUIRED)


class OutcomeRowErrorSerializer(Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class OutcomeImportRowSerializer(Serializer):
    row = serializers.IntegerField(help_text="CSV: the line as a spreadsheet numbers it (header = 1); JSON: the "
                                             "row's position, from 1.")
    external_id = serializers.CharField(allow_blank=True)
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "error"])
    errors = OutcomeRowErrorSerializer(many=True)


class OutcomeImportReportSerializer(Serializer):
    ok = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = OutcomeImportRowSerializer(many=True)


_REPORT_RESPONSES = {200: OutcomeImportReportSerializer}


class OutcomeRowInputSerializer(Serializer):
    external_id = serializers.CharField(max_length=128, help_text="The source's id; unique per organization.")
    employee_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    metric = serializers.CharField(max_length=16, help_text="csat or quality.")
    period_start = serializers.CharField(max_length=10, help_text="YYYY-MM-DD.")
    period_end = serializers.CharField(max_length=10, help_text="YYYY-MM-DD.")
    score = serializers.CharField(max_length=32, help_text="A number on the scale.")
    scale_min = serializers.CharField(max_length=32)
    scale_max = serializers.CharField(max_length=32)
    responses = serializers.CharField(required=False, allow_blank=True, max_length=12)
    source = serializers.CharField(required=False, allow_blank=True, max_length=64)


class OutcomeScoreSerializer(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="membership.employee_id")
    email = serializers.CharField(source="membership.user.email")
    percent = serializers.FloatField(help_text="The score on 0-100.")

    class Meta:
        model = OutcomeScore
        fields = ["id", "external_id", "employee_id", "email", "metric", "period_start", "period_end", "score",
                  "scale_min", "scale_max", "percent", "responses", "source", "updated_at"]


class OutcomeScoreListApi(GenericAPIView):
    """The organization's imported scores, newest period first (``agent``: an employee id or an email; the period
    bounds keep rows overlapping them). POST imports a JSON list of rows, all or nothing (see the CSV upload)."""

    error_codes = {"get": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, ReportErrorCode.ORGANIZATION_REQUIRED),
                   "post": _IMPORT_CODES}
    permission_classes = [READERS]
    serializer_class = OutcomeScoreSerializer
    pagination_class = PageNumberPagination
    parser_classes = [JSONParser]
    queryset = none_of(OutcomeScore)

    def get_permissions(self):
        return [WRITERS()] if self.request.method == "POST" else [READERS()]

    class FilterSerializer(Serializer):
        reads_query_string = True  # see lms.serializers.StrictInput
        organization = _ORGANIZATION
        metric = serializers.ChoiceField(choices=OutcomeScore.Metric.choices, required=False)
        agent = serializers.CharField(required=False, max_length=254, help_text="An employee id or an email.")
        period_from = serializers.DateField(required=False)
        period_to = serializers.DateField(required=False)

    class ImportSerializer(Serializer):
        organization = _ORGANIZATION
        dry_run = serializers.BooleanField(required=False, default=False)
        rows = OutcomeRowInputSerializer(many=True, help_text="At most 10,000 rows.")

    @extend_schema(parameters=[FilterSerializer], responses=OutcomeScoreSerializer(many=True), tags=["outcomes"])
    def get(self, request):
        data = self.FilterSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organization = selectors.outcome_organization(actor=request.user, slug=values.pop("organization", None))
        rows = selectors.outcome_scores_list(organization=organization, **values)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ImportSerializer, responses=_REPORT_RESPONSES, tags=["outcomes"])
    def post(self, request):
        data = self.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = selectors.outcome_organization(actor=request.user, slug=data.validated_data.get("organization"))
        rows = services.rows_from_list(data.validated_data["rows"])
        return Response(services.outcome_scores_import_or_refuse(organization=organization, rows=rows,
                                                                 dry_run=data.validated_data["dry_run"]))


class OutcomeScoreUploadApi(APIView):
    """Import scores from CSV, all or nothing: one bad row and nothing is written; every bad row is listed (422
    ``outcome_invalid_rows``, in ``fields.rows``) with its line (header = line 1) and one message per field.
    Columns: external_id, employee_id or email, metric (csat or quality), period_start, period_end (YYYY-MM-DD),
    score, scale_min, scale_max, and optionally responses and source. UTF-8 with or without BOM, comma, semicolon
    or tab, at most 5 MB and 10,000 rows. A known external_id updates its row. ``dry_run=true`` validates only."""

    error_codes = _IMPORT_CODES
    permission_classes = [WRITERS]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(Serializer):
        organization = _ORGANIZATION
        file = serializers.FileField()
        dry_run = serializers.BooleanField(required=False, default=False)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=_REPORT_RESPONSES, tags=["outcomes"])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = selectors.outcome_organization(actor=request.user, slug=data.validated_data.get("organization"))
        rows = services.rows_from_csv(data.validated_data["file"])
        return Response(services.outcome_scores_import_or_refuse(organization=organization, rows=rows,
                                                                 dry_run=data.validated_data["dry_run"]))


class OutcomeGroupSerializer(Serializer):
    suppressed = serializers.BooleanField()
    suppression = serializers.CharField(allow_null=True, help_text="primary (under the minimum group size).")
    n = serializers.IntegerField(allow_null=True, help_text="People with a score before and after.")
    mean_change = serializers.FloatField(allow_null=True, help_text="Mean of (after - before), points of 0-100.")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)


class OutcomeDifferenceSerializer(Serializer):
    shown = serializers.BooleanField()
    estimate = serializers.FloatField(allow_null=True, help_text="Trained change minus comparison change.")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    method = serializers.CharField()


class OutcomeReportSerializer(Serializer):
    course = serializers.CharField()
    course_title = serializers.CharField()
    metric = serializers.CharField()
    window_days = serializers.IntegerField()
    completed_from = serializers.DateField()
    completed_to = serializers.DateField()
    reference_date = serializers.DateField(allow_null=True, help_text="The comparison group's window centre.")
    min_group_size = serializers.IntegerField()
    confidence = serializers.FloatField()
    scale = serializers.CharField()
    completed = serializers.IntegerField(help_text="People who completed the course in the date range.")
    without_scores = serializers.IntegerField(allow_null=True)
    trained = OutcomeGroupSerializer(help_text="Paired differences, t interval.")
    comparison = OutcomeGroupSerializer(help_text="Not yet trained, matched windows around reference_date.")
    difference = OutcomeDifferenceSerializer()
    trained_method = serializers.CharField()
    caveat = serializers.CharField()


class OutcomeReportQuerySerializer(Serializer):
    reads_query_string = True  # see lms.serializers.StrictInput
    organization = _ORGANIZATION
    course = serializers.SlugField(max_length=100, help_text="The course's slug.")
    completed_from = serializers.DateField()
    completed_to = serializers.DateField()
    metric = serializers.ChoiceField(choices=OutcomeScore.Metric.choices, required=False,
                                     default=OutcomeScore.Metric.CSAT)
    window_days = serializers.IntegerField(required=False, min_value=1, max_value=outcome_reports.MAX_WINDOW,
                                           default=outcome_reports.DEFAULT_WINDOW)
    department = Int64Field(required=False, min_value=1, help_text="Only this department's people (its id).")
    session = Int64Field(required=False, min_value=1, help_text="Only people registered in this workshop session.")

    def to_query(self, actor) -> outcome_reports.ReportQuery:
        values = self.validated_data
        return outcome_reports.ReportQuery(
            organization=selectors.outcome_organization(actor=actor, slug=values.get("organization")),
            course_slug=values["course"], completed_from=values["completed_from"],
            completed_to=values["completed_to"], metric=values["metric"], window_days=values["window_days"],
            department_id=values.get("department"), session_id=values.get("session"))


class OutcomeReportApi(APIView):
    """Each trained person's mean score before vs after completing the course (windows of ``window_days``), the
    cohort's mean change with a 95% paired t interval, beside a comparison group not yet trained (matched windows)
    and the difference with a Welch interval. Observational (see ``caveat``); groups under the minimum group size
    show no figure."""

    error_codes = (PlatformErrorCode.ORGANIZATION_NOT_FOUND, OutcomeErrorCode.OUTCOME_COURSE_NOT_FOUND,
                   OutcomeErrorCode.OUTCOME_INVALID_REPORT, ReportErrorCode.ORGANIZATION_REQUIRED)
    permission_classes = [READERS]

    @extend_schema(parameters=[OutcomeReportQuerySerializer], responses=OutcomeReportSerializer, tags=["outcomes"])
    def get(self, request):
        data = OutcomeReportQuerySerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        report = outcome_reports.outcome_report(data.to_query(request.user))
        return Response(OutcomeReportSerializer(report).data)
