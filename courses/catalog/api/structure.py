"""A course's structure through the API: change, reorder and delete modules and activities, and the checks
publishing asks for. The course's instructors and its organization's admins only."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors, services
from courses.catalog.api.serializers import ActivitySerializer, ModuleSerializer
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.services import structure
from lms.fields import Int64Field
from lms.serializers import Serializer


class ModuleDetailApi(APIView):
    """Rename a module, or delete it with its activities (409 once a learner has progress in one of them)."""
    error_codes = {"delete": (CatalogErrorCode.MODULE_HAS_PROGRESS,)}

    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200, required=False, help_text="Left out: unchanged.")

    @extend_schema(request=InputSerializer, responses=ModuleSerializer, tags=["courses"])
    def patch(self, request, slug: str, module_id: int):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        module = selectors.course_module(course=course, module_id=module_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "title" in data.validated_data:
            structure.module_update(module=module, title=data.validated_data["title"])
        return Response(ModuleSerializer(module).data)

    @extend_schema(request=None, responses={204: None}, tags=["courses"])
    def delete(self, request, slug: str, module_id: int):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        structure.module_delete(module=selectors.course_module(course=course, module_id=module_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrderSerializer(Serializer):
    order = serializers.ListField(child=Int64Field(min_value=1), min_length=1, max_length=1000,
                                  help_text="Every id, once, in the new order.")


class ModuleOrderApi(APIView):
    """Put the course's modules in a new order (409 when the list does not name each module once)."""
    error_codes = (CatalogErrorCode.ORDER_STALE,)

    @extend_schema(request=OrderSerializer, responses={204: None}, tags=["courses"])
    def post(self, request, slug: str):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        structure.module_reorder(course=course, order=data.validated_data["order"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityOrderApi(APIView):
    """Put a module's activities in a new order (409 when the list does not name each activity once)."""
    error_codes = (CatalogErrorCode.ORDER_STALE,)

    @extend_schema(request=OrderSerializer, responses={204: None}, tags=["courses"])
    def post(self, request, slug: str, module_id: int):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        module = selectors.course_module(course=course, module_id=module_id)
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        structure.activity_reorder(module=module, order=data.validated_data["order"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityDetailApi(APIView):
    """Change an activity's title, whether it is required and its weight, or delete it (409 once a learner has
    progress in it)."""
    error_codes = {"delete": (CatalogErrorCode.ACTIVITY_HAS_PROGRESS,)}

    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200, required=False)
        required = serializers.BooleanField(required=False)
        weight = serializers.IntegerField(min_value=0, max_value=100, required=False)

    @extend_schema(request=InputSerializer, responses=ActivitySerializer, tags=["courses"])
    def patch(self, request, slug: str, activity_id: int):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        activity = selectors.course_activity(course=course, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        structure.activity_update(activity=activity, **data.validated_data)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(request=None, responses={204: None}, tags=["courses"])
    def delete(self, request, slug: str, activity_id: int):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        structure.activity_delete(activity=selectors.course_activity(course=course, activity_id=activity_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublishCheckSerializer(Serializer):
    code = serializers.CharField()
    met = serializers.BooleanField()
    message = serializers.CharField()
    titles = serializers.ListField(child=serializers.CharField(), help_text="The activities that break it.")


class PublishChecksApi(APIView):
    """What publishing asks of the course, met or not (publishing answers 409 while one is unmet)."""

    @extend_schema(responses=PublishCheckSerializer(many=True), tags=["courses"])
    def get(self, request, slug: str):
        course = selectors.access_course_manage(actor=request.user, slug=slug)
        checks = selectors.course_publish_checks(course=course)
        return Response([{"code": check.code, "met": check.met, "message": services.CHECK_MESSAGES[check.code],
                          "titles": list(check.titles)} for check in checks])
