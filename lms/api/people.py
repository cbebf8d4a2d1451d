"""Organizations, departments and memberships, managed by org admins and read by HR.

Paths are nested under the organization's slug: /api/v1/organizations/{slug}/... An
organization where the caller holds none of the needed roles is a 404.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import imports, selectors, services
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError
from lms.fields import Int64Field
from lms.models import ROLE_FIELDS, Department, Membership, Organization
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.privacy.access_services import Channel, access_record
from lms.serializers import ModelSerializer, Serializer


def _organization_for(request, slug: str) -> Organization:
    """Readers (HR, org admins, the org's API key) may GET; only org admins may write.

    An organization the caller cannot read is a 404; a reader who may not write gets a 403,
    as an API key does: the organization is no secret to them.
    """
    return selectors.access_organization_people(actor=request.user, slug=slug,
                                                write=request.method not in SAFE_METHODS)


class OrganizationSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "timezone", "default_language"]


class OrganizationListApi(APIView):
    """The organizations the caller belongs to (an API key: its own)."""

    @extend_schema(responses=OrganizationSerializer(many=True), tags=["people"])
    def get(self, request):
        organizations = selectors.organizations_visible_to(actor=request.user)
        return Response(OrganizationSerializer(organizations, many=True).data)


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code"]


class DepartmentInputSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class DepartmentListApi(APIView):
    error_codes = {
        "post": (PlatformErrorCode.DEPARTMENT_EXISTS,),
    }

    @extend_schema(responses=DepartmentSerializer(many=True), tags=["people"])
    def get(self, request, slug: str):
        organization = _organization_for(request, slug)
        return Response(DepartmentSerializer(selectors.departments_of(organization=organization), many=True).data)

    @extend_schema(request=DepartmentInputSerializer, responses={201: DepartmentSerializer}, tags=["people"])
    def post(self, request, slug: str):
        organization = _organization_for(request, slug)
        data = DepartmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = services.department_create(organization=organization, **data.validated_data)
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


class DepartmentDetailApi(APIView):
    error_codes = {
        "patch": (PlatformErrorCode.DEPARTMENT_EXISTS,),
    }

    def _get(self, request, slug: str, department_id: int) -> Department:
        organization = _organization_for(request, slug)
        return selectors.department_get(organization=organization, department_id=department_id)

    @extend_schema(responses=DepartmentSerializer, tags=["people"])
    def get(self, request, slug: str, department_id: int):
        return Response(DepartmentSerializer(self._get(request, slug, department_id)).data)

    @extend_schema(request=DepartmentInputSerializer, responses=DepartmentSerializer, tags=["people"])
    def patch(self, request, slug: str, department_id: int):
        department = self._get(request, slug, department_id)
        data = DepartmentInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        department = services.department_update(department=department, **data.validated_data)
        return Response(DepartmentSerializer(department).data)

    @extend_schema(request=None, responses={204: None}, tags=["people"])
    def delete(self, request, slug: str, department_id: int):
        services.department_delete(department=self._get(request, slug, department_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipSerializer(ModelSerializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.display_name")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=list(ROLE_FIELDS)))
    department = DepartmentSerializer(allow_null=True)
    manager = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "employee_id", "roles", "department", "manager", "is_active",
                  "created_at", "updated_at"]

    def get_manager(self, obj: Membership) -> dict | None:
        if obj.manager is None:
            return None
        return {"id": obj.manager_id, "email": obj.manager.user.email}


class MembershipInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254, help_text="Creates the user if no one has this email yet.")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=list(ROLE_FIELDS)), default=["learner"])
    department = Int64Field(required=False, allow_null=True, help_text="Department id.")
    manager = Int64Field(required=False, allow_null=True, help_text="Manager's membership id.")
    employee_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class MembershipUpdateSerializer(Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=list(ROLE_FIELDS)), required=False)
    department = Int64Field(required=False, allow_null=True)
    manager = Int64Field(required=False, allow_null=True)
    employee_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


def _resolve_refs(organization: Organization, data: dict) -> dict:
    """Turn department/manager ids into objects of this organization, or a clear 400."""
    resolved = dict(data)
    if data.get("department") is not None:
        resolved["department"] = selectors.departments_of(organization=organization).filter(
            pk=data["department"]).first()
        if resolved["department"] is None:
            raise ApplicationError("Unknown department.", code=PlatformErrorCode.INVALID_DEPARTMENT,
                                   fields={"department": ["No such department in this organization."]})
    if data.get("manager") is not None:
        resolved["manager"] = selectors.memberships_of(organization=organization).filter(pk=data["manager"]).first()
        if resolved["manager"] is None:
            raise ApplicationError("Unknown manager.", code=PlatformErrorCode.INVALID_MANAGER,
                                   fields={"manager": ["No such member in this organization."]})
    return resolved


class MembershipListApi(GenericAPIView):
    error_codes = {
        "post": (PlatformErrorCode.INVALID_DEPARTMENT, PlatformErrorCode.INVALID_EMAIL,
                 PlatformErrorCode.INVALID_MANAGER, PlatformErrorCode.INVALID_ROLE, PlatformErrorCode.MANAGER_CYCLE,
                 PlatformErrorCode.MEMBERSHIP_EXISTS),
    }

    pagination_class = PageNumberPagination
    serializer_class = MembershipSerializer
    queryset = selectors.none_of(Membership)  # for the schema; requests use the scoped selector

    @extend_schema(responses=MembershipSerializer(many=True), tags=["people"])
    def get(self, request, slug: str):
        """Members, paginated (``page``, ``page_size``), oldest first."""
        organization = _organization_for(request, slug)
        queryset = selectors.memberships_of(organization=organization)
        page = self.paginate_queryset(queryset)
        access_record(actor=request.user, organization=organization, channel=Channel.API, what="people.memberships",
                      people=len(page or []), detail={"page": request.query_params.get("page", "1")})
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipSerializer}, tags=["people"])
    def post(self, request, slug: str):
        organization = _organization_for(request, slug)
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = _resolve_refs(organization, data.validated_data)
        membership = services.membership_add_person(organization=organization, **values)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(APIView):
    error_codes = {
        "patch": (PlatformErrorCode.EMPLOYEE_ID_TAKEN, PlatformErrorCode.INVALID_DEPARTMENT,
                  PlatformErrorCode.INVALID_MANAGER, PlatformErrorCode.INVALID_ROLE, PlatformErrorCode.MANAGER_CYCLE),
    }

    def _get(self, request, slug: str, membership_id: int) -> Membership:
        organization = _organization_for(request, slug)
        return selectors.membership_get(organization=organization, membership_id=membership_id)

    @extend_schema(responses=MembershipSerializer, tags=["people"])
    def get(self, request, slug: str, membership_id: int):
        membership = self._get(request, slug, membership_id)
        access_record(actor=request.user, organization=membership.organization_id, channel=Channel.API,
                      what="people.membership", subject=membership.user_id)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer, tags=["people"])
    def patch(self, request, slug: str, membership_id: int):
        membership = self._get(request, slug, membership_id)
        data = MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = _resolve_refs(membership.organization, data.validated_data)
        membership = services.membership_update(membership=membership, **values)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None}, tags=["people"])
    def delete(self, request, slug: str, membership_id: int):
        services.membership_delete(membership=self._get(request, slug, membership_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipImportApi(APIView):
    """Import members from CSV, all or nothing: one bad row and nothing is written.

    Columns: email (required), first_name, last_name, employee_id, department (name or code),
    manager_email, roles (separated by ``;``; default learner). UTF-8, with or without BOM.
    Existing members are updated; ``dry_run=true`` validates only.
    """
    error_codes = (PlatformErrorCode.EMPLOYEE_ID_TAKEN, PlatformErrorCode.EMPTY_FILE, PlatformErrorCode.FILE_TOO_LARGE,
                   PlatformErrorCode.INVALID_CSV, PlatformErrorCode.INVALID_DEPARTMENT, PlatformErrorCode.INVALID_EMAIL,
                   PlatformErrorCode.INVALID_ENCODING, PlatformErrorCode.INVALID_MANAGER,
                   PlatformErrorCode.INVALID_ROLE, PlatformErrorCode.MANAGER_CYCLE, PlatformErrorCode.MEMBERSHIP_EXISTS,
                   PlatformErrorCode.MISSING_COLUMNS, PlatformErrorCode.TOO_MANY_ROWS,
                   PlatformErrorCode.UNKNOWN_COLUMNS)

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()
        dry_run = serializers.BooleanField(required=False, default=False)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={200: imports.ImportReportSerializer,
                   400: {"oneOf": [{"$ref": "#/components/schemas/ImportReport"},
                                   {"$ref": "#/components/schemas/Error"}]}}, tags=["people"])
    def post(self, request, slug: str):
        organization = _organization_for(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = imports.memberships_import_csv(
            organization=organization, file=data.validated_data["file"], dry_run=data.validated_data["dry_run"]
        )
        return Response(report, status=status.HTTP_200_OK if report["ok"] else status.HTTP_400_BAD_REQUEST)

