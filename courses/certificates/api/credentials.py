"""Open Badges 3.0, public: a certificate's signed credential, the issuer profile and its keys, the
revocation status lists, and a verifier anyone may call. See courses/certificate_credentials.py."""
from __future__ import annotations

import time

from django.template import loader
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.certificates import open_badges as certificate_credentials
from courses.certificates import selectors
from courses.certificates.errors import CertificateErrorCode
from courses.certificates.verification import pad_to_minimum
from lms.errors import NotFound
from lms.parsers import JSONParser
from lms.serializers import Serializer
from lms.throttles import AnonymousThrottle, StrictThrottle

JSON_LD = "application/ld+json"


class JsonLdRenderer(JSONRenderer):
    media_type = JSON_LD
    format = "jsonld"


class PublicPageRenderer(TemplateHTMLRenderer):
    """The same resource as an HTML page in the site layout, for browsers (``Accept: text/html``)."""

    def get_exception_template(self, response):
        return loader.get_template("courses/credentials/not_found.html")

    def get_template_names(self, response, view):
        # Anything but the page itself (OPTIONS' description of the operation) is for software.
        return [response.template_name] if getattr(response, "template_name", None) else [
            "courses/credentials/for_software.html"]


#: JSON-LD unless the caller asks for JSON (a verifier may ask for either).
JSON_RENDERERS = [JsonLdRenderer, JSONRenderer]
JSON_RESPONSES = {(200, JSON_LD): OpenApiTypes.OBJECT, (200, "application/json"): OpenApiTypes.OBJECT}
#: The same, or an HTML page when a browser asks for one.
NEGOTIATED_RENDERERS = [*JSON_RENDERERS, PublicPageRenderer]
ERROR = {"$ref": "#/components/schemas/Error"}
PAGE_ERRORS = {404: "Not found (the error as JSON, or a page for browsers).",
               429: "Throttled; the `Retry-After` header says how many seconds to wait."}
NEGOTIATED_RESPONSES = {
    **JSON_RESPONSES, (200, "text/html"): OpenApiTypes.STR,
    **{(status, media): OpenApiResponse(ERROR if media == "application/json" else OpenApiTypes.STR, description=text)
       for status, text in PAGE_ERRORS.items() for media in ("application/json", "text/html")},
}


def negotiated(document: dict, template: str) -> Response:
    response = Response(document, template_name=template)
    patch_vary_headers(response, ["Accept"])
    return response


class PublicApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.exception and isinstance(getattr(response, "accepted_renderer", None), JsonLdRenderer):
            # An error is not a JSON-LD document: the usual JSON error shape.
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response


def _signing_configured() -> None:
    if not certificate_credentials.signing_enabled():
        raise NotFound("This installation does not sign credentials yet.",
                       code=CertificateErrorCode.CREDENTIALS_DISABLED)


class CertificateCredentialApi(PublicApi):
    """The certificate's signed Open Badges 3.0 AchievementCredential (W3C VC 2.0, eddsa-rdfc-2022).

    Public, like the verification page: it holds what the certificate shows. Revoked certificates keep
    their credential; its status list entry says it is revoked."""
    error_codes = (CertificateErrorCode.CERTIFICATE_NOT_FOUND, CertificateErrorCode.CREDENTIAL_PENDING)
    renderer_classes = JSON_RENDERERS

    @extend_schema(responses=JSON_RESPONSES, tags=["verification"], auth=[])
    def get(self, request, code: str):
        started = time.monotonic()
        row = selectors.certificate_credential_row(code=code)
        pad_to_minimum(started)
        if row is None:
            raise NotFound("No certificate has this code.", code=CertificateErrorCode.CERTIFICATE_NOT_FOUND)
        credential = row["credential"]
        if credential is None:
            raise NotFound("The credential is being prepared; try again in a minute.",
                           code=CertificateErrorCode.CREDENTIAL_PENDING)
        return Response(credential)


class IssuerProfileApi(PublicApi):
    """The issuer's Open Badges Profile, with every public key that signed a credential still in
    use (rotated-out keys stay listed so older credentials keep verifying). JSON-LD by default, JSON
    for ``Accept: application/json``, an HTML page for browsers."""
    error_codes = (CertificateErrorCode.CREDENTIALS_DISABLED, CertificateErrorCode.CREDENTIAL_KEY_NOT_FOUND,
                   CertificateErrorCode.INVALID_KEY, CertificateErrorCode.NO_ACTIVE_KEY)

    throttle_classes = [AnonymousThrottle]
    renderer_classes = NEGOTIATED_RENDERERS

    @extend_schema(responses=NEGOTIATED_RESPONSES, tags=["verification"], auth=[])
    def get(self, request):
        _signing_configured()
        return negotiated(certificate_credentials.published_issuer_profile(), "courses/credentials/issuer.html")


class AchievementApi(PublicApi):
    """The Open Badges Achievement that credentials name in ``credentialSubject.achievement.id``: the
    course's title, description, criteria and hours, nothing about any learner. Only courses that
    issued a certificate have one; other slugs are a 404. JSON-LD by default, JSON for ``Accept:
    application/json``, an HTML page for browsers."""
    error_codes = (CertificateErrorCode.ACHIEVEMENT_NOT_FOUND,)

    throttle_classes = [AnonymousThrottle]
    renderer_classes = NEGOTIATED_RENDERERS

    @extend_schema(responses=NEGOTIATED_RESPONSES, tags=["verification"], auth=[])
    def get(self, request, slug: str):
        course = selectors.course_with_certificates(slug=slug)
        if course is None:
            raise NotFound("No achievement has this id.", code=CertificateErrorCode.ACHIEVEMENT_NOT_FOUND)
        return negotiated(certificate_credentials.published_achievement(course), "courses/credentials/achievement.html")


class StatusListApi(PublicApi):
    """A signed Bitstring Status List credential: bit ``i`` set = the certificate at that index is revoked."""
    error_codes = (CertificateErrorCode.CANONICALIZATION_FAILED, CertificateErrorCode.CREDENTIALS_DISABLED,
                   CertificateErrorCode.CREDENTIAL_KEY_NOT_FOUND, CertificateErrorCode.INVALID_CREDENTIAL,
                   CertificateErrorCode.INVALID_KEY, CertificateErrorCode.INVALID_STATUS_LIST,
                   CertificateErrorCode.NO_ACTIVE_KEY, CertificateErrorCode.STATUS_LIST_NOT_FOUND)

    throttle_classes = [AnonymousThrottle]
    renderer_classes = JSON_RENDERERS

    @extend_schema(responses=JSON_RESPONSES, tags=["verification"], auth=[])
    def get(self, request, number: int):
        _signing_configured()
        last = selectors.certificate_last_pk()
        if number > certificate_credentials.status_position(last)[0]:
            raise NotFound("No such status list.", code=CertificateErrorCode.STATUS_LIST_NOT_FOUND)
        return Response(certificate_credentials.status_list_document(number))


class CredentialCheckSerializer(Serializer):
    class ChecksSerializer(Serializer):
        issuer = serializers.CharField(help_text="ok, unknown_issuer or skipped")
        signature = serializers.CharField(help_text="ok, or why the proof failed (invalid_signature, no_proof, "
                                          "key_not_resolved, ...)")
        expiry = serializers.CharField(help_text="ok, expired, not_yet_valid, invalid_dates or skipped")
        revocation = serializers.CharField(help_text="ok, revoked, invalid_status, unknown_certificate or skipped")

    verified = serializers.BooleanField()
    checks = ChecksSerializer()
    errors = serializers.ListField(child=serializers.CharField())
    certificate = serializers.CharField(allow_null=True, help_text="The certificate code, once the status "
                                        "entry was found.")


class CredentialVerifyApi(PublicApi):
    """Check a credential: issuer, signature, validity dates and revocation. The body is the
    credential itself, as downloaded from credential.json. A failed check is a 200 with
    ``verified: false``; a body that is not a JSON object is a 400, an empty one a 422."""
    error_codes = (CertificateErrorCode.CANONICALIZATION_FAILED, CertificateErrorCode.CREDENTIAL_KEY_NOT_FOUND,
                   CertificateErrorCode.INVALID_CREDENTIAL, CertificateErrorCode.INVALID_KEY)

    parser_classes = [JSONParser]

    @extend_schema(request={"application/json": {"type": "object", "minProperties": 1,
                                                 "description": "The credential, as credential.json holds it."}},
                   responses=CredentialCheckSerializer, tags=["verification"],
                   auth=[], examples=[OpenApiExample("Revoked", response_only=True, value={
                       "verified": False, "errors": ["The certificate was revoked."], "certificate": "code",
                       "checks": {"issuer": "ok", "signature": "ok", "expiry": "ok", "revocation": "revoked"}})])
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send the credential as a JSON object."]})
        if not request.data:  # no body, or {}: well formed, but no credential to check
            raise serializers.ValidationError({"non_field_errors": [ErrorDetail(
                "Send the credential as a JSON object.", code=CertificateErrorCode.INVALID_CREDENTIAL)]})
        result = certificate_credentials.credential_verify(request.data)
        return Response(CredentialCheckSerializer(result.as_dict()).data)
