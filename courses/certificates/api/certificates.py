"""Certificates: the learner's and their HR's view, download, revoke and reissue, public verification."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.certificates import links as certificate_links
from courses.certificates import open_badges as certificate_credentials
from courses.certificates import selectors
from courses.certificates import services as certificate_services
from courses.certificates.errors import CertificateErrorCode
from courses.certificates.models import Certificate
from courses.certificates.verification import VerificationSerializer, verification_payload
from lms.errors import NotFound
from lms.files import file_response
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer
from lms.throttles import StrictThrottle


class CertificateSerializer(ModelSerializer):
    status = serializers.CharField(source="effective_status")
    course = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    credential_url = serializers.SerializerMethodField()
    linkedin_add_url = serializers.SerializerMethodField()
    share = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["code", "status", "learner_name", "course", "course_title", "course_language", "issuer_name",
                  "hours_credited", "final_score", "issued_at", "expires_at", "revoked_at", "revoked_reason",
                  "verify_url", "pdf_url", "credential_url", "linkedin_add_url", "share"]

    def get_course(self, obj: Certificate) -> str:
        return obj.enrollment.course.slug

    def get_verify_url(self, obj: Certificate) -> str:
        return certificate_services.verify_url(obj.code)

    def get_pdf_url(self, obj: Certificate) -> str | None:
        return f"{settings.SITE_URL}/api/v1/certificates/{obj.code}/pdf/" if obj.pdf else None

    def get_credential_url(self, obj: Certificate) -> str | None:
        return certificate_credentials.credential_url(obj.code) if obj.credential else None

    def get_linkedin_add_url(self, obj: Certificate) -> str:
        return certificate_services.linkedin_add_url(obj)

    def get_share(self, obj: Certificate) -> dict:
        links = certificate_links.share_links(obj)
        return {"linkedin": links["linkedin"], "whatsapp": links["whatsapp"]}


class CertificateListApi(GenericAPIView):
    """Your certificates, and those you may see as HR, org admin, instructor or supervisor."""

    serializer_class = CertificateSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Certificate)

    @extend_schema(responses=CertificateSerializer(many=True), tags=["certificates"])
    def get(self, request):
        queryset = selectors.certificates_visible_to(actor=request.user).order_by("-issued_at", "-id")
        if request.query_params.get("course"):
            queryset = queryset.filter(enrollment__course__slug=request.query_params["course"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CertificateDetailApi(APIView):
    @extend_schema(responses=CertificateSerializer, tags=["certificates"])
    def get(self, request, code: str):
        return Response(CertificateSerializer(selectors.certificate_get(actor=request.user, code=code)).data)


class CertificatePdfApi(APIView):
    """The PDF, for the learner and HR (or org admins) of the learner's organization."""
    error_codes = (CertificateErrorCode.PDF_PENDING,)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
                   tags=["certificates"])
    def get(self, request, code: str):
        certificate = selectors.access_certificate_download(actor=request.user, code=code)
        if not certificate.pdf:
            raise NotFound("The PDF is being prepared; try again in a minute.", code=CertificateErrorCode.PDF_PENDING)
        return file_response(certificate.pdf, as_attachment=True, filename=f"certificate-{certificate.code}.pdf",
                             content_type="application/pdf")


class CertificateRevokeApi(APIView):
    error_codes = (CertificateErrorCode.ALREADY_REVOKED, CertificateErrorCode.REASON_REQUIRED)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=CertificateSerializer, tags=["certificates"])
    def post(self, request, code: str):
        certificate = selectors.access_certificate_manage(actor=request.user, code=code, action="revoke")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = certificate_services.certificate_revoke(certificate=certificate, actor=request.user,
                                                              reason=data.validated_data["reason"])
        return Response(CertificateSerializer(selectors.certificate_get(actor=request.user, code=code)).data)


class CertificateReissueApi(APIView):
    """Regenerate with the learner's current name and the course's current title; the code stays."""
    error_codes = (CertificateErrorCode.CANONICALIZATION_FAILED, CertificateErrorCode.CERTIFICATE_REVOKED,
                   CertificateErrorCode.CREDENTIAL_KEY_NOT_FOUND, CertificateErrorCode.INVALID_CREDENTIAL,
                   CertificateErrorCode.INVALID_KEY, CertificateErrorCode.INVALID_STATUS_LIST,
                   CertificateErrorCode.NO_ACTIVE_KEY)

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=CertificateSerializer, tags=["certificates"])
    def post(self, request, code: str):
        certificate = selectors.access_certificate_manage(actor=request.user, code=code, action="reissue")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate_services.certificate_reissue(certificate=certificate, actor=request.user,
                                                 reason=data.validated_data["reason"])
        return Response(CertificateSerializer(selectors.certificate_get(actor=request.user, code=code)).data)


# --- public verification -------------------------------------------------------------------


class VerifyApi(APIView):
    """Public: is this certificate valid, revoked or expired? Strictly throttled; unknown codes are 404."""
    error_codes = (CertificateErrorCode.CERTIFICATE_NOT_FOUND,)

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictThrottle]

    @extend_schema(responses=VerificationSerializer, tags=["verification"], auth=[])
    def get(self, request, code: str):
        payload = verification_payload(code)
        if payload is None:
            raise NotFound("No certificate has this code.", code=CertificateErrorCode.CERTIFICATE_NOT_FOUND)
        return Response(payload)


