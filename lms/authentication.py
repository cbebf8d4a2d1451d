"""API authentication: personal tokens (``Token <key>``) and organization API keys (``Api-Key <key>``)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from lms import selectors
from lms.models import OrganizationAPIKey


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Stands in for ``request.user`` when an HR system calls with an organization API key.

    It is authenticated but is nobody: it holds no roles of its own and can only read what
    its organization's HR may read.
    """

    key: OrganizationAPIKey

    is_api_key = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    @property
    def organization_id(self) -> int:
        return self.key.organization_id

    def __str__(self) -> str:
        return f"API key {self.key.prefix} ({self.key.organization_id})"


def _credentials(request, keyword: str) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != keyword.lower():
        return None
    value = value.strip()
    if not value or " " in value:
        raise exceptions.AuthenticationFailed(f"Malformed {keyword} header.")
    return value


class UserTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    @sensitive_variables()  # the raw token stays out of error reports
    def authenticate(self, request):
        raw = _credentials(request, self.keyword) or _credentials(request, "Bearer")
        if raw is None:
            return None
        token = selectors.user_token_from_raw(raw=raw)
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        now = timezone.now()
        # Touch last_used at most once a minute: a hot client should not write on every call.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class OrganizationAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    @sensitive_variables()  # the raw key stays out of error reports
    def authenticate(self, request):
        raw = _credentials(request, self.keyword)
        if raw is None:
            return None
        return self.authenticate_key(raw)

    @sensitive_variables()  # the raw key stays out of error reports
    def authenticate_key(self, raw: str):
        key = selectors.api_key_from_raw(raw=raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            OrganizationAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return ApiKeyPrincipal(key), key

    def authenticate_header(self, request) -> str:
        return self.keyword


class UserTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lms.authentication.UserTokenAuthentication"
    name = "TokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "Personal token from POST /api/v1/auth/token/: `Token <key>`.",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "lms.authentication.OrganizationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "Organization API key for HR systems: `Api-Key <key>`. Read-only.",
        }
