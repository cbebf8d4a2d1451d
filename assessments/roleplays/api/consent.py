"""Recording consent over the API: the current consent text, the caller's own consents, and withdrawing one
(which deletes the recording at once; the performance stays reviewable by its transcript). A recording is
sent with the performance (``recording_consent``: the version agreed to), see ``PerformanceCreateApi``.
Someone else's consent is absent (404)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.roleplays import consent as consent_text
from assessments.roleplays.errors import RoleplayErrorCode
from assessments.roleplays.models import RecordingConsent
from assessments.roleplays.selectors import consent as selectors
from assessments.roleplays.services import consent as services
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import Serializer

TAGS = ["role-plays"]


class ConsentTextSerializer(Serializer):
    version = serializers.IntegerField(help_text="Send it as the performance's recording_consent.")
    published = serializers.DateField()
    language = serializers.CharField(help_text="The language of the paragraphs (the request's: en or pt-BR).")
    paragraphs = serializers.ListField(child=serializers.CharField())
    retention_days = serializers.IntegerField(help_text="Days the recording is kept after the performance is scored.")


class RecordingConsentSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    performance = serializers.IntegerField(source="performance_id")
    scenario = serializers.IntegerField(source="performance.scenario_id")
    scenario_title = serializers.CharField(source="performance.scenario.activity.title")
    version = serializers.IntegerField()
    given_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    has_recording = serializers.SerializerMethodField()

    def get_has_recording(self, consent: RecordingConsent) -> bool:
        return consent.performance.has_recording


class RecordingConsentTextApi(APIView):
    """The current recording consent text: what is recorded, who sees it, how long it is kept, how to withdraw."""

    permission_classes = [IsPerson]

    @extend_schema(responses=ConsentTextSerializer, tags=TAGS)
    def get(self, request):
        text = consent_text.current()
        language = "pt-BR" if (request.LANGUAGE_CODE or "").lower().startswith("pt") else "en"
        return Response(ConsentTextSerializer({
            "version": text.version, "published": text.published, "language": language,
            "paragraphs": text.paragraphs(language), "retention_days": consent_text.recording_days()}).data)


class RecordingConsentListApi(GenericAPIView):
    """Your recording consents, newest first, with whether the recording is still kept."""

    permission_classes = [IsPerson]
    serializer_class = RecordingConsentSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(RecordingConsent)

    def get_queryset(self):
        return selectors.own_recording_consents(actor=self.request.user).order_by("-given_at", "-id")

    @extend_schema(responses=RecordingConsentSerializer(many=True), tags=TAGS)
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RecordingConsentDetailApi(APIView):
    """One of your recording consents."""
    error_codes = (RoleplayErrorCode.RECORDING_CONSENT_NOT_FOUND,)

    permission_classes = [IsPerson]

    @extend_schema(responses=RecordingConsentSerializer, tags=TAGS)
    def get(self, request, consent_id: int):
        consent = selectors.recording_consent_get(actor=request.user, consent_id=consent_id)
        return Response(RecordingConsentSerializer(consent).data)


class RecordingConsentWithdrawApi(APIView):
    """Withdraw your consent: the recording is deleted now; the transcript, reviews and any score stay.
    Withdrawing again answers the same."""
    error_codes = (RoleplayErrorCode.RECORDING_CONSENT_NOT_FOUND,)

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses=RecordingConsentSerializer, tags=TAGS)
    def post(self, request, consent_id: int):
        consent = selectors.recording_consent_get(actor=request.user, consent_id=consent_id)
        services.recording_consent_withdraw(consent=consent, actor=request.user)
        consent = selectors.recording_consent_get(actor=request.user, consent_id=consent_id)
        return Response(RecordingConsentSerializer(consent).data)
