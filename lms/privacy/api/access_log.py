"""The access log by API: GET /api/v1/privacy/organizations/{slug}/access-log/, for the organization's admins.

Who read which person's data, through which channel and when, newest first, paginated (``page``,
``page_size``). The organization's HR and API keys are refused (403); an organization the caller does not
administer and whose people they do not read is a 404.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from lms.error_codes import PlatformErrorCode
from lms.fields import Int64Field
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.privacy.access_selectors import AccessLogFilters, access_log_entries, access_log_organization
from lms.privacy.models import AccessLogEntry
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer

TAGS = ["privacy"]


class AccessLogQuerySerializer(Serializer):
    reads_query_string = True  # the query string also carries page and page_size
    person = Int64Field(required=False, min_value=1, help_text="Only reads of this person's data (user id).")
    actor = Int64Field(required=False, min_value=1, help_text="Only reads by this person (user id).")
    channel = serializers.ChoiceField(choices=AccessLogEntry.Channel.choices, required=False)
    since = serializers.DateField(required=False, help_text="From this day (UTC), inclusive: YYYY-MM-DD.")
    until = serializers.DateField(required=False, help_text="Up to this day (UTC), inclusive: YYYY-MM-DD.")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": ["Not before since."]}, code=PlatformErrorCode.INVALID)
        return attrs

    def filters(self) -> AccessLogFilters:
        return AccessLogFilters(**self.validated_data)


class AccessLogPersonSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()


class AccessLogApiKeySerializer(Serializer):
    prefix = serializers.CharField(source="api_key_prefix")
    name = serializers.CharField(source="api_key_label")


class AccessLogEntrySerializer(ModelSerializer):
    actor = AccessLogPersonSerializer(allow_null=True, help_text="The person who read; null for an API key.")
    api_key = serializers.SerializerMethodField(help_text="The API key that read (kept after it is revoked).")
    subject = AccessLogPersonSerializer(allow_null=True, help_text="Whose data; null when the read covered many.")

    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "actor", "api_key", "subject", "people", "channel", "what", "detail"]

    @extend_schema_field(AccessLogApiKeySerializer(allow_null=True))
    def get_api_key(self, obj: AccessLogEntry) -> dict | None:
        return AccessLogApiKeySerializer(obj).data if obj.api_key_prefix and obj.actor_id is None else None


class AccessLogApi(GenericAPIView):
    """Who read which person's data in this organization (reports, exports, the admin, the API, pages)."""

    error_codes = (PlatformErrorCode.PERMISSION_DENIED,)

    permission_classes = [IsPerson]
    pagination_class = PageNumberPagination
    serializer_class = AccessLogEntrySerializer
    queryset = none_of(AccessLogEntry)

    @extend_schema(parameters=[AccessLogQuerySerializer], responses=AccessLogEntrySerializer(many=True), tags=TAGS)
    def get(self, request, slug: str):
        organization = access_log_organization(actor=request.user, slug=slug)
        query = AccessLogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(access_log_entries(organization=organization, filters=query.filters()))
        return self.get_paginated_response(AccessLogEntrySerializer(page, many=True).data)
