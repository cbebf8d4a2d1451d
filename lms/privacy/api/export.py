"""Data exports in the API: a person's own (/api/v1/privacy/exports/) and an organization admin's request for
a member (/api/v1/privacy/organizations/{slug}/members/{user_id}/export/). People only: API keys get 403.

The archive itself leaves only through the signed link mailed to the person (a page, for the signed-in
subject); the API answers each export's status and, to the subject, that link while the export is ready.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from lms.error_codes import PlatformErrorCode
from lms.mail import site_link
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.privacy.errors import PrivacyErrorCode
from lms.privacy.models import DataExport
from lms.privacy.selectors import export as selectors
from lms.privacy.services import export as services
from lms.selectors import none_of
from lms.serializers import ModelSerializer


class DataExportSerializer(ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = DataExport
        fields = ["id", "status", "organization", "created_at", "finished_at", "expires_at", "size"]

    def to_representation(self, instance: DataExport) -> dict:
        data = super().to_representation(instance)
        data["status"] = instance.shown_status  # "expired" once the link has run out (one of the same choices)
        return data


class OwnDataExportSerializer(DataExportSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta(DataExportSerializer.Meta):
        fields = [*DataExportSerializer.Meta.fields, "download_url"]

    def get_download_url(self, obj: DataExport) -> str | None:
        """The signed link (for the signed-in subject only) while the export is ready; null otherwise."""
        return site_link(selectors.export_download_path(obj)) if selectors.export_is_downloadable(obj) else None


class ExportListApi(GenericAPIView):
    """The caller's own exports, newest first; POST asks for a new one (409 while one is being prepared)."""

    error_codes = {"post": (PrivacyErrorCode.EXPORT_ACTIVE,)}
    permission_classes = [IsPerson]
    pagination_class = PageNumberPagination
    serializer_class = OwnDataExportSerializer
    queryset = none_of(DataExport)  # for the schema; requests use the scoped selector

    @extend_schema(responses=OwnDataExportSerializer(many=True), tags=["privacy"])
    def get(self, request):
        page = self.paginate_queryset(selectors.exports_of(subject=request.user))
        return self.get_paginated_response(OwnDataExportSerializer(page, many=True).data)

    @extend_schema(request=None, responses={201: OwnDataExportSerializer}, tags=["privacy"])
    def post(self, request):
        export = services.export_request(actor=request.user, subject=request.user)
        return Response(OwnDataExportSerializer(export).data, status=status.HTTP_201_CREATED)


class ExportDetailApi(GenericAPIView):
    """One of the caller's own exports (404 for anyone else's)."""

    error_codes = {"get": (PlatformErrorCode.NOT_FOUND,)}
    permission_classes = [IsPerson]
    serializer_class = OwnDataExportSerializer
    queryset = none_of(DataExport)

    @extend_schema(responses=OwnDataExportSerializer, tags=["privacy"])
    def get(self, request, export_id: int):
        return Response(OwnDataExportSerializer(selectors.export_get_own(actor=request.user, export_id=export_id)).data)


class MemberExportApi(GenericAPIView):
    """An organization admin's view of a member's exports asked for through the organization (GET), and a new
    request on the member's behalf (POST; the member gets the link by mail). 404 outside the organizations the
    caller administers, HR included."""

    error_codes = {"get": (PlatformErrorCode.NOT_FOUND,),
                   "post": (PlatformErrorCode.NOT_FOUND, PrivacyErrorCode.EXPORT_ACTIVE)}
    permission_classes = [IsPerson]
    pagination_class = PageNumberPagination
    serializer_class = DataExportSerializer
    queryset = none_of(DataExport)

    @extend_schema(responses=DataExportSerializer(many=True), tags=["privacy"])
    def get(self, request, slug: str, user_id: int):
        organization, subject = selectors.access_export_member(actor=request.user, slug=slug, user_id=user_id)
        page = self.paginate_queryset(selectors.exports_of_member(organization=organization, subject=subject))
        return self.get_paginated_response(DataExportSerializer(page, many=True).data)

    @extend_schema(request=None, responses={201: DataExportSerializer}, tags=["privacy"])
    def post(self, request, slug: str, user_id: int):
        organization, subject = selectors.access_export_member(actor=request.user, slug=slug, user_id=user_id)
        export = services.export_request(actor=request.user, subject=subject, organization=organization)
        return Response(DataExportSerializer(export).data, status=status.HTTP_201_CREATED)
