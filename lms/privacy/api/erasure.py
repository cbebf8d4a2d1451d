"""Erasure over the API: the person's own request (confirmed by their password), an org admin's request for
a member (confirmed by a second request), and an organization's legal hold. People only: API keys and HR
cannot; an organization the caller does not administer, or someone not its member, is a 404."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.errors import NotFound
from lms.models import ErasureRequest, Organization
from lms.permissions import IsPerson
from lms.privacy.erasure_errors import ErasureErrorCode
from lms.privacy.selectors.erasure import access_erasure_member, access_erasure_organization, erasure_request_open
from lms.privacy.services import erasure as services
from lms.serializers import ModelSerializer, Serializer

TAGS = ["privacy"]


class ErasureRequestSerializer(ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = ErasureRequest
        fields = ["id", "user_id", "role", "state", "created_at", "confirmed_at", "held_at", "done_at", "message"]

    def get_message(self, obj: ErasureRequest) -> str:
        return {
            ErasureRequest.State.AWAITING_CONFIRMATION: "Confirm the request to erase.",
            ErasureRequest.State.CONFIRMED: "Confirmed: the erasure runs shortly.",
            ErasureRequest.State.HELD: "Held: an organization of this person is under legal hold. The erasure is "
                                       "carried out when the hold is lifted.",
            ErasureRequest.State.DONE: "Done.",
        }.get(obj.state, "Cancelled.")


class PasswordSerializer(Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class LegalHoldSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "legal_hold", "legal_hold_reason", "legal_hold_set_at"]


class LegalHoldInputSerializer(Serializer):
    reason = serializers.CharField(max_length=500)


class LegalHoldLiftedSerializer(Serializer):
    slug = serializers.CharField()
    legal_hold = serializers.BooleanField()
    released = serializers.IntegerField(help_text="Held erasures now carried out.")


class MyErasureApi(APIView):
    """The signed-in person's erasure request."""

    permission_classes = [IsPerson]
    error_codes = {"post": (ErasureErrorCode.ERASURE_PENDING,)}

    @extend_schema(responses=ErasureRequestSerializer, tags=TAGS)
    def get(self, request):
        found = erasure_request_open(user=request.user)
        if found is None:
            raise NotFound("You have no open erasure request.")
        return Response(ErasureRequestSerializer(found).data)

    @extend_schema(request=None, responses={201: ErasureRequestSerializer}, tags=TAGS)
    def post(self, request):
        created = services.erasure_request_self(user=request.user)
        return Response(ErasureRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, tags=TAGS)
    def delete(self, request):
        services.erasure_cancel(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyErasureConfirmApi(APIView):
    """Confirm one's own request with one's password: it is then carried out (or held under a legal hold)."""

    permission_classes = [IsPerson]
    error_codes = {"post": (ErasureErrorCode.ERASURE_WRONG_PASSWORD, ErasureErrorCode.ERASURE_NOT_AWAITING)}

    @extend_schema(request=PasswordSerializer, responses=ErasureRequestSerializer, tags=TAGS)
    def post(self, request):
        data = PasswordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmed = services.erasure_confirm_self(user=request.user, password=data.validated_data["password"])
        return Response(ErasureRequestSerializer(confirmed).data)


class MemberErasureApi(APIView):
    """An org admin asks to erase a member of their organization; a second request (confirm/) confirms it."""

    permission_classes = [IsPerson]
    error_codes = {"post": (ErasureErrorCode.ERASURE_PENDING,)}

    @extend_schema(request=None, responses={201: ErasureRequestSerializer}, tags=TAGS)
    def post(self, request, slug: str, user_id: int):
        organization, user = access_erasure_member(actor=request.user, slug=slug, user_id=user_id)
        created = services.erasure_request_by_admin(actor=request.user, organization=organization, user=user)
        return Response(ErasureRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class MemberErasureConfirmApi(APIView):
    permission_classes = [IsPerson]
    error_codes = {"post": (ErasureErrorCode.ERASURE_NOT_AWAITING,)}

    @extend_schema(request=None, responses=ErasureRequestSerializer, tags=TAGS)
    def post(self, request, slug: str, user_id: int):
        organization, user = access_erasure_member(actor=request.user, slug=slug, user_id=user_id)
        confirmed = services.erasure_confirm_by_admin(actor=request.user, organization=organization, user=user)
        return Response(ErasureRequestSerializer(confirmed).data)


class LegalHoldApi(APIView):
    """An organization's legal hold: while set, its members' erasures are recorded but held."""

    permission_classes = [IsPerson]
    error_codes = {"put": (ErasureErrorCode.LEGAL_HOLD_REASON_REQUIRED,)}

    @extend_schema(responses=LegalHoldSerializer, tags=TAGS)
    def get(self, request, slug: str):
        return Response(LegalHoldSerializer(access_erasure_organization(actor=request.user, slug=slug)).data)

    @extend_schema(request=LegalHoldInputSerializer, responses=LegalHoldSerializer, tags=TAGS)
    def put(self, request, slug: str):
        organization = access_erasure_organization(actor=request.user, slug=slug)
        data = LegalHoldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.legal_hold_set(organization=organization, reason=data.validated_data["reason"])
        return Response(LegalHoldSerializer(organization).data)

    @extend_schema(request=None, responses={200: LegalHoldLiftedSerializer}, tags=TAGS)
    def delete(self, request, slug: str):
        organization = access_erasure_organization(actor=request.user, slug=slug)
        released = services.legal_hold_lift(organization=organization)
        return Response(LegalHoldLiftedSerializer({"slug": organization.slug, "legal_hold": False,
                                                   "released": released}).data)
