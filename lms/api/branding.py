"""An organization's logo and certificate signature: read by its HR and org admins, changed by org admins."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import branding, selectors, services
from lms.error_codes import PlatformErrorCode
from lms.models import Organization
from lms.serializers import Serializer


class BrandingSerializer(Serializer):
    logo_url = serializers.CharField(allow_null=True, help_text="The logo's public address; null without one.")
    has_certificate_signature = serializers.BooleanField(
        help_text="A signature is drawn on certificates (it has no address: only the PDF shows it).")
    certificate_signer_name = serializers.CharField(allow_blank=True)
    certificate_signer_title = serializers.CharField(allow_blank=True)


def _branding(organization: Organization) -> dict:
    return {"logo_url": branding.logo_url(organization),
            "has_certificate_signature": bool(organization.certificate_signature),
            "certificate_signer_name": organization.certificate_signer_name,
            "certificate_signer_title": organization.certificate_signer_title}


class BrandingApi(APIView):
    """The logo shown on certificates and their verify page, and the signature drawn above the signer's name.
    Pictures are JPEG, PNG or WebP, checked by their content and redrawn as PNG without metadata."""
    error_codes = {"patch": (PlatformErrorCode.IMAGE_TOO_LARGE, PlatformErrorCode.INVALID_IMAGE)}
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        logo = serializers.FileField(required=False)
        signature = serializers.FileField(required=False)
        signer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
        signer_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
        remove_logo = serializers.BooleanField(required=False, default=False)
        remove_signature = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=BrandingSerializer, tags=["people"])
    def get(self, request, slug: str):
        organization = selectors.access_organization_branding(actor=request.user, slug=slug, write=False)
        return Response(BrandingSerializer(_branding(organization)).data)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=BrandingSerializer, tags=["people"])
    def patch(self, request, slug: str):
        organization = selectors.access_organization_branding(actor=request.user, slug=slug, write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        organization = services.organization_branding_set(
            organization=organization,
            logo=given["logo"].read() if "logo" in given else None,
            signature=given["signature"].read() if "signature" in given else None,
            signer_name=given.get("signer_name"), signer_title=given.get("signer_title"),
            remove_logo=given["remove_logo"], remove_signature=given["remove_signature"])
        return Response(BrandingSerializer(_branding(organization)).data)
