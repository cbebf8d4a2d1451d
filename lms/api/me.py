"""The caller's own profile, memberships and roles."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import selectors, services
from lms.error_codes import PlatformErrorCode
from lms.models import Membership, User
from lms.permissions import IsPerson
from lms.serializers import ModelSerializer, Serializer


class MyMembershipSerializer(ModelSerializer):
    organization = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", default=None, read_only=True, allow_null=True)
    manager = serializers.EmailField(source="manager.user.email", default=None, read_only=True, allow_null=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "roles", "department", "manager", "employee_id"]

    def get_organization(self, obj: Membership) -> dict:
        org = obj.organization
        return {"slug": org.slug, "name": org.name, "timezone": org.timezone}


class MeApi(APIView):
    error_codes = {
        "patch": (PlatformErrorCode.INVALID_LANGUAGE, PlatformErrorCode.INVALID_TIMEZONE),
    }

    permission_classes = [IsPerson]

    class OutputSerializer(ModelSerializer):
        memberships = MyMembershipSerializer(many=True, read_only=True)
        name = serializers.CharField(source="display_name", read_only=True)

        class Meta:
            model = User
            fields = ["id", "email", "name", "first_name", "last_name", "timezone", "language",
                      "is_staff", "memberships"]

    class InputSerializer(Serializer):
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        timezone = serializers.CharField(max_length=64, required=False, allow_blank=True)
        language = serializers.CharField(max_length=10, required=False, allow_blank=True)

    @extend_schema(responses=OutputSerializer, tags=["people"])
    def get(self, request):
        user = selectors.user_with_memberships(user=request.user)
        return Response(self.OutputSerializer(user).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["people"])
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_update_profile(user=request.user, **data.validated_data)
        user = selectors.user_with_memberships(user=request.user)
        return Response(self.OutputSerializer(user).data)
