"""HR reports: completions (JSON pages, streamed CSV and NDJSON), summary, export jobs, webhooks.

Who: HR and org admins of an organization, and its API keys (read-only; they may also request
exports, which read). Every row and object is scoped to the caller's organizations (see
courses/reports.py for the rule); anything else is 404.
"""
from __future__ import annotations

from django.http import StreamingHttpResponse
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.enrollments.models import Enrollment
from courses.hr_reports import copy_rows as report_streams
from courses.hr_reports import queries as reports
from courses.hr_reports import selectors
from courses.hr_reports.errors import ReportErrorCode
from courses.hr_reports.models import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.permissions import IsWebhookAdmin, ReportReader
from courses.hr_reports.services import exports as report_services
from courses.hr_reports.services import webhooks as webhook_services
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.fields import Int64Field
from lms.files import file_response
from lms.pagination import CursorPagination, PageNumberPagination
from lms.privacy.access_services import Channel, access_record
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer
from lms.throttles import FailOpenThrottle

TAG = ["reports"]


class ReportsThrottle(FailOpenThrottle):
    """Reports are heavier than other reads: their own budget per user or API key."""

    scope = "reports"

    def get_cache_key(self, request, view):
        user = request.user
        if getattr(user, "is_api_key", False):
            ident = f"key-{user.key.pk}"
        elif user and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class NDJSONRenderer(CSVRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"


class JSONErrorsMixin:
    """Errors are JSON (the one error shape), whichever format the request asked for."""

    def handle_exception(self, exc):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


# --- filters -------------------------------------------------------------------------------

BOOLEAN = ["true", "false"]
_FILTER_FIELDS = set(reports.Filters.__dataclass_fields__) - {"organization"}


class ReportFilterSerializer(Serializer):
    reads_query_string = True  # see lms.serializers.StrictInput
    organization = serializers.SlugField(required=False, max_length=64, help_text="Only this organization (its slug).")
    course = serializers.SlugField(required=False, max_length=100, help_text="Course slug.")
    department = Int64Field(required=False, min_value=1, help_text="Department id.")
    manager = serializers.EmailField(required=False, max_length=254, help_text="The manager's email address.")
    status = serializers.ChoiceField(choices=Enrollment.Status.choices, required=False)
    overdue = serializers.ChoiceField(choices=BOOLEAN, required=False,
                                      help_text="true: active and past the due date; false: the others.")
    enrolled_after = serializers.DateTimeField(required=False, help_text="ISO 8601, inclusive.")
    enrolled_before = serializers.DateTimeField(required=False, help_text="ISO 8601, exclusive.")
    completed_after = serializers.DateTimeField(required=False)
    completed_before = serializers.DateTimeField(required=False)
    updated_after = serializers.DateTimeField(required=False)
    updated_before = serializers.DateTimeField(required=False)

    def to_filters(self, actor) -> reports.Filters:
        data = {key: value for key, value in self.validated_data.items() if key in _FILTER_FIELDS}
        organization = reports.resolve_organization(actor, self.validated_data.get("organization"))
        if "overdue" in data:
            data["overdue"] = data["overdue"] == "true"
        return reports.Filters(organization=organization, **data)


class CompletionQuerySerializer(ReportFilterSerializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="Incremental sync: rows changed at or after this moment (ISO 8601).")
    cursor = serializers.CharField(required=False, max_length=200,
                                   help_text="JSON: continue after this position (`next` / `sync_cursor`).")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100,
                                         help_text="JSON rows per page (1-1000).")
    bom = serializers.ChoiceField(choices=BOOLEAN, required=False,
                                  help_text="CSV: start with a UTF-8 byte order mark (for Excel).")


class CompletionRowSerializer(Serializer):
    enrollment_id = serializers.IntegerField()
    organization = serializers.CharField()
    employee_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    department = serializers.CharField()
    manager_name = serializers.CharField()
    manager_email = serializers.CharField()
    course_slug = serializers.CharField()
    course_title = serializers.CharField()
    language = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=Enrollment.Status.choices)
    overdue = serializers.BooleanField()
    progress_percent = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    final_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    time_spent_seconds = serializers.IntegerField()
    certificate_code = serializers.CharField()
    certificate_verify_url = serializers.CharField()
    certificate_status = serializers.ChoiceField(choices=["valid", "revoked", "expired"], allow_null=True)
    certificate_expires_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class CompletionTombstoneSerializer(Serializer):
    enrollment_id = serializers.IntegerField(help_text="The id of a row that left the report (deleted).")
    deleted = serializers.BooleanField(help_text="Always true: drop this row from your copy.")
    updated_at = serializers.DateTimeField(help_text="When it was deleted; its place in (updated_at, id) order.")


class CompletionPageSerializer(Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null when you have every row so far.")
    sync_cursor = serializers.CharField(allow_null=True, help_text=(
        "Keep it: the position after the last row of this page. Later, `?cursor=<it>` returns exactly the rows "
        "changed since (changed rows come again, with their new values)."))
    results = PolymorphicProxySerializer(
        component_name="CompletionResult", serializers=[CompletionRowSerializer, CompletionTombstoneSerializer],
        resource_type_field_name=None, many=True,
        help_text=("Rows; with `cursor` or `updated_since`, also tombstones `{enrollment_id, deleted: true, "
                   "updated_at}` of rows deleted since, in the same (updated_at, id) order."))


# --- completions ---------------------------------------------------------------------------

class CompletionsApi(JSONErrorsMixin, APIView):
    """One row per enrollment of your organization(s), ordered by (updated_at, id).

    JSON pages by cursor; CSV (`text/csv`) and NDJSON (`application/x-ndjson`) stream every matching
    row (choose with `Accept` or `?format=csv|ndjson|json`). Columns: see the README.
    """
    error_codes = (PlatformErrorCode.ORGANIZATION_NOT_FOUND, ReportErrorCode.INVALID_CURSOR)

    permission_classes = [ReportReader]
    throttle_classes = [ReportsThrottle]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, NDJSONRenderer]

    @extend_schema(
        parameters=[CompletionQuerySerializer],
        responses={(200, "application/json"): CompletionPageSerializer,
                   (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Streamed CSV, UTF-8."),
                   (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR,
                                                                  description="One JSON object per line.")},
        tags=TAG,
    )
    def get(self, request):
        query = CompletionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.to_filters(request.user)
        options = query.validated_data
        output = request.accepted_renderer.format
        queryset = reports.completions_queryset(actor=request.user, filters=filters)
        if options.get("cursor"):
            queryset = reports.after_cursor(queryset, options["cursor"])
        report_services.report_audit_record(actor=request.user, kind=ReportAuditEntry.Kind.COMPLETIONS,
                                            organization=filters.organization, format=output,
                                            filters=filters.as_json())
        access_record(actor=request.user, organization=selectors.report_read_organization_ids(
            actor=request.user, organization=filters.organization), channel=Channel.REPORT,
            detail={**filters.as_json(), "format": output},
            what="report.sync" if options.get("cursor") or filters.updated_since else "report.completions")
        if output == "json":
            syncing = bool(options.get("cursor") or filters.updated_since)  # deleted rows come as tombstones
            results, more, cursor = selectors.sync_page(
                queryset=queryset, actor=request.user, filters=filters, cursor=options.get("cursor"),
                size=options["page_size"], tombstones=syncing)
            next_url = None
            if more:
                params = request.query_params.copy()
                params["cursor"] = cursor
                next_url = request.build_absolute_uri(request.path) + "?" + params.urlencode()
            return Response({"next": next_url, "sync_cursor": cursor,
                             "results": results})
        if output == "csv":
            body = report_streams.csv_stream(queryset, bom=options.get("bom") == "true")
            response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            body = report_streams.ndjson_stream(queryset)
            response = StreamingHttpResponse(body, content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="completions.{output}"'
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"
        return response


# --- summary -------------------------------------------------------------------------------

_summary_row = {
    "organization": serializers.CharField(),
    "enrolled": serializers.IntegerField(), "completed": serializers.IntegerField(),
    "completion_rate": serializers.FloatField(help_text="completed / enrolled, 0-1."),
    "overdue": serializers.IntegerField(),
    "average_score": serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True),
    "median_days_to_complete": serializers.FloatField(allow_null=True),
    "valid_certificates": serializers.IntegerField(),
    "certificates_expiring_30_days": serializers.IntegerField(),
}
SummarySerializer = inline_serializer("ReportSummary", {
    "by_course": inline_serializer("ReportSummaryCourse", {
        "course": serializers.CharField(), "course_title": serializers.CharField(), **_summary_row}, many=True),
    "by_department": inline_serializer("ReportSummaryDepartment", {
        "department": serializers.CharField(), **_summary_row}, many=True),
})


class SummaryApi(JSONErrorsMixin, APIView):
    """Per course and per department: enrolled, completed, rates, overdue, scores, certificates."""
    error_codes = (PlatformErrorCode.ORGANIZATION_NOT_FOUND,)

    permission_classes = [ReportReader]
    throttle_classes = [ReportsThrottle]

    @extend_schema(parameters=[ReportFilterSerializer], responses=SummarySerializer, tags=TAG)
    def get(self, request):
        query = ReportFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.to_filters(request.user)
        report_services.report_audit_record(actor=request.user, kind=ReportAuditEntry.Kind.SUMMARY,
                                            organization=filters.organization, format="json",
                                            filters=filters.as_json())
        return Response(reports.summary(actor=request.user, filters=filters))


# --- exports -------------------------------------------------------------------------------

class ExportSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.slug")
    download_url = serializers.SerializerMethodField(help_text=(
        "When done: a link that works without credentials until it expires."))

    class Meta:
        model = ReportExport
        fields = ["id", "organization", "format", "status", "filters", "rows_done", "rows_total", "runs", "error",
                  "created_at", "started_at", "finished_at", "expires_at", "download_url"]

    def get_download_url(self, obj: ReportExport) -> str | None:
        return report_services.download_url(obj)


class ExportInputSerializer(ReportFilterSerializer):
    format = serializers.ChoiceField(choices=ReportExport.Format.choices)


class ExportsApi(JSONErrorsMixin, GenericAPIView):
    """Request an export job (XLSX or CSV), or list yours. Asking again while the same export (same
    organization, format and filters) runs returns that job (200) instead of starting another."""
    error_codes = {
        "post": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, ReportErrorCode.INVALID_FORMAT,
                 ReportErrorCode.ORGANIZATION_REQUIRED),
    }

    permission_classes = [ReportReader]  # API keys may request exports: an export only reads
    throttle_classes = [ReportsThrottle]
    serializer_class = ExportSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(ReportExport)

    @extend_schema(responses=ExportSerializer(many=True), tags=TAG)
    def get(self, request):
        page = self.paginate_queryset(selectors.exports_visible_to(request.user).order_by("-created_at", "-id"))
        return self.get_paginated_response(ExportSerializer(page, many=True).data)

    @extend_schema(request=ExportInputSerializer, responses={200: ExportSerializer, 201: ExportSerializer}, tags=TAG)
    def post(self, request):
        data = ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export_format = data.validated_data.pop("format")
        organization = reports.single_organization(request.user, data.validated_data.get("organization"))
        filters = data.to_filters(request.user)
        export, created = report_services.report_export_request(
            actor=request.user, organization=organization, export_format=export_format, filters=filters)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ExportSerializer(export).data, status=code)


class ExportDetailApi(JSONErrorsMixin, APIView):
    permission_classes = [ReportReader]

    @extend_schema(responses=ExportSerializer, tags=TAG)
    def get(self, request, export_id: int):
        return Response(ExportSerializer(selectors.export_get(actor=request.user, export_id=export_id)).data)


class ExportDownloadApi(APIView):
    """The export's file. The signed link is the credential; it expires (REPORTS_DOWNLOAD_URL_TTL_SECONDS)."""
    error_codes = (ReportErrorCode.LINK_INVALID,)

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[inline_serializer("ExportDownloadQuery", {"signature": serializers.CharField()})],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=TAG, auth=[])
    def get(self, request, export_id: int):
        export = report_services.download_check(export_id=export_id,
                                                signature=request.query_params.get("signature", ""))
        if export is None:
            raise NotFound("This link is invalid or has expired; ask for a new one.", code=ReportErrorCode.LINK_INVALID)
        report_services.report_audit_record(actor=None, kind=ReportAuditEntry.Kind.DOWNLOAD,
                                            organization=export.organization, format=export.format,
                                            filters={"export": export.pk})
        access_record(actor=None, actor_id=export.requested_by_id, key_prefix=export.api_key_prefix,
                      organization=export.organization_id, channel=Channel.EXPORT, what="report.export",
                      detail={"export": export.pk, "format": export.format})
        content_type = ("text/csv; charset=utf-8" if export.format == "csv" else
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return file_response(export.file, as_attachment=True, content_type=content_type,
                             filename=f"{export.organization.slug}-completions-{export.pk}.{export.format}")


# --- webhooks ------------------------------------------------------------------------------

class WebhookEndpointSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.slug")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organization", "url", "description", "event_types", "is_active", "consecutive_failures",
                  "disabled_at", "disabled_reason", "created_at"]


class WebhookCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="Shown once, now. Sign-checking needs it; it is never shown again.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhooksApi(JSONErrorsMixin, GenericAPIView):
    """Your organization's webhook endpoints; register one (https only) with its event types."""
    error_codes = {
        "post": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, ReportErrorCode.INVALID_EVENT_TYPES,
                 ReportErrorCode.INVALID_WEBHOOK_URL, ReportErrorCode.ORGANIZATION_REQUIRED,
                 ReportErrorCode.WEAK_WEBHOOK_SECRET, ReportErrorCode.WEBHOOK_TARGET_REFUSED),
    }

    permission_classes = [IsWebhookAdmin]
    pagination_class = PageNumberPagination
    serializer_class = WebhookEndpointSerializer
    queryset = none_of(WebhookEndpoint)

    class InputSerializer(Serializer):
        organization = serializers.SlugField(required=False)
        url = serializers.CharField(max_length=500)
        event_types = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10)
        secret = serializers.CharField(required=False, max_length=200, help_text=(
            "At least 24 characters; leave it out and one is generated."))
        description = serializers.CharField(required=False, max_length=200, allow_blank=True)

    @extend_schema(responses=WebhookEndpointSerializer(many=True), tags=TAG)
    def get(self, request):
        page = self.paginate_queryset(selectors.endpoints_visible_to(request.user).order_by("id"))
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: WebhookCreatedSerializer}, tags=TAG)
    @sensitive_variables()  # the signing secret stays out of error reports
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = reports.single_organization(request.user, values.get("organization"))
        endpoint, secret = webhook_services.webhook_endpoint_create(
            organization=organization, url=values["url"], event_types=values["event_types"],
            secret=values.get("secret", ""), description=values.get("description", ""), created_by=request.user)
        body = WebhookEndpointSerializer(endpoint).data
        return Response({**body, "secret": secret}, status=status.HTTP_201_CREATED)


class WebhookDetailApi(JSONErrorsMixin, APIView):
    error_codes = {
        "patch": (ReportErrorCode.INVALID_EVENT_TYPES, ReportErrorCode.INVALID_WEBHOOK_URL,
                  ReportErrorCode.WEAK_WEBHOOK_SECRET, ReportErrorCode.WEBHOOK_TARGET_REFUSED),
    }

    permission_classes = [IsWebhookAdmin]

    class InputSerializer(Serializer):
        url = serializers.CharField(max_length=500, required=False)
        event_types = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10, required=False)
        secret = serializers.CharField(required=False, max_length=200)
        description = serializers.CharField(required=False, max_length=200, allow_blank=True)
        is_active = serializers.BooleanField(required=False)

    def _endpoint(self, request, endpoint_id: int) -> WebhookEndpoint:
        return selectors.endpoint_get(actor=request.user, endpoint_id=endpoint_id)

    @extend_schema(responses=WebhookEndpointSerializer, tags=TAG)
    def get(self, request, endpoint_id: int):
        return Response(WebhookEndpointSerializer(self._endpoint(request, endpoint_id)).data)

    @extend_schema(request=InputSerializer, responses=WebhookEndpointSerializer, tags=TAG)
    @sensitive_variables()  # the signing secret stays out of error reports
    def patch(self, request, endpoint_id: int):
        endpoint = self._endpoint(request, endpoint_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = webhook_services.webhook_endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None}, tags=TAG)
    def delete(self, request, endpoint_id: int):
        webhook_services.webhook_endpoint_delete(endpoint=self._endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliverySerializer(ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_type", "object_id", "status", "attempts", "next_attempt_at", "last_attempt_at",
                  "last_status_code", "last_error", "delivered_at", "replays", "created_at", "payload", "log"]


class DeliveryCursor(CursorPagination):
    ordering = ("-id",)


class WebhookDeliveriesApi(JSONErrorsMixin, GenericAPIView):
    """The endpoint's deliveries, newest first, with each attempt's outcome."""

    permission_classes = [IsWebhookAdmin]
    pagination_class = DeliveryCursor
    serializer_class = WebhookDeliverySerializer
    queryset = none_of(WebhookDelivery)

    @extend_schema(responses=WebhookDeliverySerializer(many=True), tags=TAG)
    def get(self, request, endpoint_id: int):
        endpoint = selectors.endpoint_get(actor=request.user, endpoint_id=endpoint_id)
        page = self.paginate_queryset(selectors.deliveries_of(endpoint=endpoint))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookDeliveryReplayApi(JSONErrorsMixin, APIView):
    """Send a delivery again (same id, same payload, a fresh signature)."""

    permission_classes = [IsWebhookAdmin]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer}, tags=TAG)
    def post(self, request, endpoint_id: int, delivery_id: int):
        endpoint = selectors.endpoint_get(actor=request.user, endpoint_id=endpoint_id)
        delivery = selectors.delivery_get(endpoint=endpoint, delivery_id=delivery_id)
        delivery = webhook_services.webhook_delivery_replay(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
