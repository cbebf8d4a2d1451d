"""Personal API tokens: create with email + password, list, revoke."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import lockout, selectors, services
from lms.authentication import UserTokenAuthentication
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError
from lms.models import UserToken
from lms.permissions import IsPerson
from lms.serializers import ModelSerializer, Serializer
from lms.throttles import StrictThrottle


class TokenOutputSerializer(ModelSerializer):
    class Meta:
        model = UserToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class TokenCreateApi(APIView):
    """Exchange an email and password for a personal token (shown once). Strictly throttled per client
    address; after LOGIN_LOCKOUT_FAILURES failed attempts for one address, that account is locked for
    LOGIN_LOCKOUT_MINUTES (429, code `account_locked`, with Retry-After), even with the right password."""
    error_codes = {
        "post": (PlatformErrorCode.ACCOUNT_LOCKED, PlatformErrorCode.INVALID_CREDENTIALS),
        "delete": (PlatformErrorCode.NOT_AUTHENTICATED,),
    }

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictThrottle]

    class InputSerializer(Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    class OutputSerializer(TokenOutputSerializer):
        token = serializers.CharField(help_text="The token itself. Shown only in this response.")

        class Meta(TokenOutputSerializer.Meta):
            fields = [*TokenOutputSerializer.Meta.fields, "token"]

    @extend_schema(
        request=InputSerializer, tags=["auth"], auth=[],
        responses={
            201: OutputSerializer,
            429: OpenApiResponse(description=(
                "Throttled (`throttled`), or the account is locked after too many failed sign-ins "
                "(`account_locked`; any address, known or not, locks the same way). The `Retry-After` "
                "header says how many seconds to wait.")),
        },
    )
    @sensitive_variables()  # the password and the new token stay out of error reports
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        user = authenticate(request, email=email, password=data.validated_data["password"])
        if user is None:
            wait = lockout.seconds_locked(email)
            if wait:
                raise lockout.AccountLocked(wait)
            raise ApplicationError("Email or password is wrong.", code=PlatformErrorCode.INVALID_CREDENTIALS,
                                   status_code=401)
        token, raw = services.user_token_create(user=user, name=data.validated_data["name"])
        token.token = raw
        return Response(self.OutputSerializer(token).data, status=status.HTTP_201_CREATED)

    def get_authenticate_header(self, request) -> str:
        # Without authentication classes DRF would turn a bad token on DELETE into a 403.
        return "Token"

    @extend_schema(request=None, responses={204: None}, tags=["auth"], auth=[{"TokenAuth": []}])
    def delete(self, request):
        """Revoke the token this request is made with (sign out an API client)."""

        result = UserTokenAuthentication().authenticate(request)
        if result is None:
            raise ApplicationError("Send the token to revoke in the Authorization header.",
                                   code=PlatformErrorCode.NOT_AUTHENTICATED, status_code=401)
        user, token = result
        services.user_token_revoke(user=user, token_id=token.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(APIView):
    permission_classes = [IsPerson]

    @extend_schema(responses=TokenOutputSerializer(many=True), tags=["auth"])
    def get(self, request):
        tokens = selectors.user_tokens_of(user=request.user)
        return Response(TokenOutputSerializer(tokens, many=True).data)


class TokenRevokeApi(APIView):
    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request, token_id: int):
        services.user_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
