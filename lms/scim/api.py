"""The SCIM 2.0 endpoints under /scim/v2/: thin views over lms.scim's selectors and services.

Every answer, failures included (authentication, scope, 404, 405, malformed JSON, bad filters, throttling),
is ``application/scim+json`` in SCIM's shape. The endpoints stay out of our OpenAPI schema: SCIM publishes
its own description at /scim/v2/Schemas and /scim/v2/ResourceTypes.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.authentication import ApiKeyPrincipal, OrganizationAPIKeyAuthentication, _credentials
from lms.error_handlers import api_exception_handler
from lms.models import ApiKeyScope
from lms.parsers import JSONParser
from lms.permissions import Permission
from lms.privacy.access_services import Channel, access_record
from lms.scim import selectors, services
from lms.scim.errors import ScimError, ScimType, error_body, not_found
from lms.scim.filters import simple_equality
from lms.scim.inputs import body_object, parse_group, parse_user
from lms.scim.listing import list_response
from lms.scim.patch import apply_patch
from lms.scim.representation import group_document, project, user_document
from lms.scim.schemas import resource_type_documents, schema_documents, service_provider_config
from lms.throttles import ApiKeyThrottle

SCIM_MEDIA_TYPE = "application/scim+json"


class ScimRenderer(renderers.JSONRenderer):
    media_type = SCIM_MEDIA_TYPE
    format = "scim"


class ScimParser(JSONParser):
    media_type = SCIM_MEDIA_TYPE


class PlainJSONParser(JSONParser):
    media_type = "application/json"


class ScimKeyAuthentication(OrganizationAPIKeyAuthentication):
    """An organization API key, as identity providers send it (``Bearer <key>``) or as ours (``Api-Key``)."""

    @sensitive_variables()  # the raw key stays out of error reports
    def authenticate(self, request):
        raw = _credentials(request, "Bearer") or _credentials(request, self.keyword)
        return None if raw is None else self.authenticate_key(raw)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="scim"'


class HasScimScope(Permission):
    message = "This API key lacks the scim:write scope."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return isinstance(user, ApiKeyPrincipal) and user.key.has_scope(ApiKeyScope.SCIM_WRITE)


def scim_exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, ScimError):
        return Response(exc.body(), status=exc.status)
    response = api_exception_handler(exc, context)
    detail = response.data.get("error", {}).get("message", "") if isinstance(response.data, dict) else ""
    status_code = response.status_code
    scim_type = None
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        scim_type = ScimType.INVALID_SYNTAX
    elif status_code in (400, 422):
        status_code, scim_type = 400, ScimType.INVALID_VALUE
    response.data = error_body(status_code, detail, scim_type)
    response.status_code = status_code
    return response


class ScimView(APIView):
    authentication_classes = [ScimKeyAuthentication]
    permission_classes = [HasScimScope]
    throttle_classes = [ApiKeyThrottle]
    renderer_classes = [ScimRenderer]
    parser_classes = [ScimParser, PlainJSONParser]
    schema = None  # SCIM describes itself at /Schemas; see the module docstring

    def get_exception_handler(self):
        return scim_exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.data is not None:
            response["Content-Type"] = SCIM_MEDIA_TYPE
        return response

    @property
    def organization(self):
        return self.request.auth.organization

    def base(self) -> str:
        return self.request.build_absolute_uri("/scim/v2").rstrip("/")

    def answer(self, document: dict, status: int = 200) -> Response:
        params = self.request.query_params
        headers = {"ETag": document["meta"]["version"]} if "version" in document.get("meta", {}) else {}
        if status == 201:
            headers["Location"] = document["meta"]["location"]
        return Response(project(document, params.get("attributes"), params.get("excludedAttributes")),
                        status=status, headers=headers)

    def check_if_match(self, document: dict) -> None:
        wanted = self.request.headers.get("If-Match")
        if wanted and wanted.strip() != "*":
            tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
            if document["meta"]["version"].removeprefix("W/") not in tags:
                raise ScimError("The resource changed since that version (If-Match).", status=412)

    def not_modified(self, document: dict) -> bool:
        wanted = self.request.headers.get("If-None-Match")
        return bool(wanted) and document["meta"]["version"].removeprefix("W/") in {
            tag.strip().removeprefix("W/") for tag in wanted.split(",")}


# --- discovery -----------------------------------------------------------------------------

class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return Response(service_provider_config(self.base()))


def _discovery_list(documents: list[dict]) -> dict[str, Any]:
    return list_response(documents, {})


class ResourceTypesView(ScimView):
    def get(self, request, name: str | None = None):
        documents = resource_type_documents(self.base())
        if name is None:
            return Response(_discovery_list(documents))
        found = [document for document in documents if document["id"] == name]
        if not found:
            raise not_found(f"No resource type {name}.")
        return Response(found[0])


class SchemasView(ScimView):
    def get(self, request, urn: str | None = None):
        documents = schema_documents(self.base())
        if urn is None:
            return Response(_discovery_list(documents))
        found = [document for document in documents if document["id"].lower() == urn.lower()]
        if not found:
            raise not_found(f"No schema {urn}.")
        return Response(found[0])


# --- users ---------------------------------------------------------------------------------

class UsersView(ScimView):
    def _documents(self, params) -> list[dict]:
        base = self.base()
        records = selectors.scim_users_of(organization=self.organization,
                                          equal_to=simple_equality(params.get("filter")))
        return [user_document(record, base) for record in records]

    def get(self, request):
        documents = self._documents(request.query_params)
        access_record(actor=request.user, organization=self.organization, channel=Channel.API, what="scim.users",
                      people=len(documents))
        return Response(list_response(documents, request.query_params))

    def post(self, request):
        record = services.scim_user_create(organization=self.organization, data=parse_user(request.data))
        return self.answer(user_document(selectors.scim_user_get(organization=self.organization,
                                                                 scim_id=str(record.scim_id)), self.base()), 201)


class UsersSearchView(UsersView):
    def post(self, request):
        params = body_object(request.data)
        return Response(list_response(self._documents(params), params))


class ScimResourceView(ScimView):
    """One User or Group: ``_document`` reads it (404 outside the organization); GET answers 304 when the
    client's ETag still matches; writes first check ``If-Match`` against the stored version."""

    def _document(self, scim_id: str) -> tuple[Any, dict]:
        raise NotImplementedError

    def _matched(self, scim_id: str) -> tuple[Any, dict]:
        record, document = self._document(scim_id)
        self.check_if_match(document)
        return record, document

    def read(self, record: Any) -> None:
        """What a GET of ``record`` leaves behind (a User's read goes to the access log)."""

    def get(self, request, scim_id: str):
        record, document = self._document(scim_id)
        self.read(record)
        if self.not_modified(document):
            return Response(status=304, headers={"ETag": document["meta"]["version"]})
        return self.answer(document)


class UserView(ScimResourceView):
    def _document(self, scim_id: str) -> tuple[Any, dict]:
        record = selectors.scim_user_get(organization=self.organization, scim_id=scim_id)
        return record, user_document(record, self.base())

    def read(self, record: Any) -> None:
        access_record(actor=self.request.user, organization=self.organization, channel=Channel.API,
                      what="scim.user", subject=record.membership.user_id)

    def put(self, request, scim_id: str):
        record, _ = self._matched(scim_id)
        services.scim_user_replace(record=record, data=parse_user(request.data))
        return self.answer(self._document(scim_id)[1])

    def patch(self, request, scim_id: str):
        record, document = self._matched(scim_id)
        services.scim_user_replace(record=record, data=parse_user(apply_patch(document, request.data)))
        return self.answer(self._document(scim_id)[1])

    def delete(self, request, scim_id: str):
        record, _ = self._matched(scim_id)
        services.scim_user_delete(record=record)
        return Response(status=204)


# --- groups --------------------------------------------------------------------------------

class GroupsView(ScimView):
    def _documents(self, params) -> list[dict]:
        base = self.base()
        departments = selectors.groups_of(organization=self.organization,
                                          equal_to=simple_equality(params.get("filter")))
        return [group_document(department, selectors.group_members(department), base) for department in departments]

    def get(self, request):
        return Response(list_response(self._documents(request.query_params), request.query_params))

    def post(self, request):
        department = services.group_create(organization=self.organization, data=parse_group(request.data))
        return self.answer(self._document(str(department.scim_id)), 201)

    def _document(self, scim_id: str) -> dict:
        department = selectors.group_get(organization=self.organization, scim_id=scim_id)
        return group_document(department, selectors.group_members(department), self.base())


class GroupsSearchView(GroupsView):
    def post(self, request):
        params = body_object(request.data)
        return Response(list_response(self._documents(params), params))


class GroupView(ScimResourceView):
    def _document(self, scim_id: str) -> tuple[Any, dict]:
        department = selectors.group_get(organization=self.organization, scim_id=scim_id)
        return department, group_document(department, selectors.group_members(department), self.base())

    def put(self, request, scim_id: str):
        department, _ = self._matched(scim_id)
        services.group_replace(department=department, data=parse_group(request.data))
        return self.answer(self._document(scim_id)[1])

    def patch(self, request, scim_id: str):
        department, document = self._matched(scim_id)
        services.group_replace(department=department, data=parse_group(apply_patch(document, request.data)))
        return self.answer(self._document(scim_id)[1])

    def delete(self, request, scim_id: str):
        department, _ = self._matched(scim_id)
        services.group_delete(department=department)
        return Response(status=204)


class SearchView(ScimView):
    """POST /.search: Users and Groups together."""

    def post(self, request):
        base = self.base()
        documents = [user_document(record, base) for record in selectors.scim_users_of(organization=self.organization)]
        documents += [group_document(department, selectors.group_members(department), base)
                      for department in selectors.groups_of(organization=self.organization)]
        return Response(list_response(documents, body_object(request.data)))


@csrf_exempt
def scim_not_found(request, rest: str = "") -> HttpResponse:
    """Any other address under /scim/v2/: SCIM's 404, whoever asks."""
    return JsonResponse(error_body(404, "No such SCIM endpoint."), status=404, content_type=SCIM_MEDIA_TYPE)
