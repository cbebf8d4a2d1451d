"""xAPI configuration for an organization's admins: the LRS endpoint (credentials write-only), a
connection test, the outbox (newest first) and a retry of what failed. Other organizations are 404."""
from __future__ import annotations

from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.xapi import selectors
from courses.xapi.errors import XapiError, XapiErrorCode
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.permissions import IsXapiAdmin
from courses.xapi.services import endpoints as endpoint_services
from courses.xapi.services import outbox
from lms.error_codes import PlatformErrorCode
from lms.models import Organization
from lms.pagination import CursorPagination
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer

TAG = ["xapi"]


class OutboxCountsSerializer(Serializer):
    pending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()


class LrsEndpointSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.slug")
    statements = OutboxCountsSerializer(read_only=True, source="outbox_counts",
                                        help_text="The organization's outbox rows by status.")

    class Meta:
        model = LrsEndpoint
        fields = ["organization", "url", "version", "actor_mode", "is_active", "created_at", "updated_at",
                  "statements"]


def _endpoint_or_404(organization: Organization) -> LrsEndpoint:
    endpoint = selectors.endpoint_of(organization)
    if endpoint is None:
        raise XapiError("This organization has no LRS endpoint.", code=XapiErrorCode.LRS_NOT_CONFIGURED,
                        status_code=404)
    endpoint.outbox_counts = selectors.outbox_counts(organization)  # type: ignore[attr-defined]
    return endpoint


class LrsEndpointApi(APIView):
    """The organization's LRS endpoint. PUT sets it (created when missing): the username and password
    are needed to create it, are stored encrypted, and are never shown; leave both out to keep them."""
    error_codes = {
        "get": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, XapiErrorCode.LRS_NOT_CONFIGURED),
        "put": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, XapiErrorCode.INVALID_LRS_ENDPOINT,
                XapiErrorCode.LRS_CREDENTIALS_REQUIRED, XapiErrorCode.LRS_TARGET_REFUSED),
        "delete": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, XapiErrorCode.LRS_NOT_CONFIGURED),
    }
    permission_classes = [IsXapiAdmin]

    class InputSerializer(Serializer):
        url = serializers.CharField(max_length=480, help_text="The LRS's xAPI base URL (https).")
        username = serializers.CharField(required=False, max_length=200, write_only=True)
        password = serializers.CharField(required=False, max_length=500, write_only=True)
        version = serializers.ChoiceField(choices=LrsEndpoint.Version.choices, required=False)
        actor_mode = serializers.ChoiceField(choices=LrsEndpoint.ActorMode.choices, required=False, help_text=(
            "How learners are named: a pseudonymous account (default), their e-mail (mbox) or its SHA-1."))
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses=LrsEndpointSerializer, tags=TAG)
    def get(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        return Response(LrsEndpointSerializer(_endpoint_or_404(organization)).data)

    @extend_schema(request=InputSerializer, responses={200: LrsEndpointSerializer, 201: LrsEndpointSerializer},
                   tags=TAG)
    @sensitive_variables()  # the LRS password stays out of error reports
    def put(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _, created = endpoint_services.lrs_endpoint_set(organization=organization, actor=request.user,
                                                        **data.validated_data)
        return Response(LrsEndpointSerializer(_endpoint_or_404(organization)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={204: None}, tags=TAG)
    def delete(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        endpoint_services.lrs_endpoint_delete(endpoint=_endpoint_or_404(organization))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LrsTestSerializer(Serializer):
    ok = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()


class LrsEndpointTestApi(APIView):
    """Try the endpoint now: ask the LRS for one statement with the stored credentials."""
    error_codes = {"post": (PlatformErrorCode.ORGANIZATION_NOT_FOUND, XapiErrorCode.LRS_NOT_CONFIGURED,
                            XapiErrorCode.LRS_CREDENTIALS_UNREADABLE)}
    permission_classes = [IsXapiAdmin]

    @extend_schema(request=None, responses=LrsTestSerializer, tags=TAG)
    def post(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        return Response(endpoint_services.lrs_endpoint_test(endpoint=_endpoint_or_404(organization)))


class XapiStatementSerializer(ModelSerializer):
    class Meta:
        model = XapiStatement
        fields = ["statement_id", "event", "verb", "status", "attempts", "next_attempt_at", "last_attempt_at",
                  "last_status_code", "last_error", "sent_at", "created_at", "statement"]


class StatementCursor(CursorPagination):
    ordering = ("-id",)


class XapiStatementsApi(GenericAPIView):
    """The organization's outbox, newest first; ``status`` keeps one status."""
    error_codes = {"get": (PlatformErrorCode.ORGANIZATION_NOT_FOUND,)}
    permission_classes = [IsXapiAdmin]
    pagination_class = StatementCursor
    serializer_class = XapiStatementSerializer
    queryset = none_of(XapiStatement)

    class FilterSerializer(Serializer):
        reads_query_string = True  # see lms.serializers.StrictInput
        status = serializers.ChoiceField(choices=XapiStatement.Status.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=XapiStatementSerializer(many=True), tags=TAG)
    def get(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.statements_of(organization, status=filters.validated_data.get("status", ""))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(XapiStatementSerializer(page, many=True).data)


class RetriedSerializer(Serializer):
    retried = serializers.IntegerField(help_text="How many failed statements are pending again.")


class XapiRetryApi(APIView):
    """Failed statements go back to pending and are sent again (after the endpoint was fixed)."""
    error_codes = {"post": (PlatformErrorCode.ORGANIZATION_NOT_FOUND,)}
    permission_classes = [IsXapiAdmin]

    @extend_schema(request=None, responses={202: RetriedSerializer}, tags=TAG)
    def post(self, request, slug: str):
        organization = selectors.organization_for_admin(actor=request.user, slug=slug)
        count = outbox.xapi_statements_retry(organization_id=organization.pk)
        return Response({"retried": count}, status=status.HTTP_202_ACCEPTED)
