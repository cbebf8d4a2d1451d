"""Authoring workshops through the API: create one on a course (its workshop activity too), change it, delete it.
Course managers only (the course's instructors and its organization's admins), through the services the
/teach/ pages and the admin use."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from courses.catalog.selectors import access_course_manage
from courses.workshops import selectors
from courses.workshops.api.serializers import WorkshopSerializer
from courses.workshops.api.views import WorkshopDetailApi, WorkshopListApi
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.services import authoring
from lms.fields import Int64Field
from lms.permissions import IsAuthenticatedReadOnlyForApiKeys, IsPerson, IsReadOnly
from lms.serializers import Serializer


class WorkshopInputSerializer(Serializer):
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    requires_approval = serializers.BooleanField(required=False)
    instructors = serializers.ListField(child=Int64Field(min_value=1), max_length=20, required=False,
                                        help_text="User ids, each a person of the course's organization.")


class WorkshopCreateSerializer(WorkshopInputSerializer):
    course = serializers.SlugField(max_length=100, help_text="The course's slug.")
    title = serializers.CharField(max_length=200)
    module = Int64Field(min_value=1, required=False,
                                      help_text="The module to add the workshop activity to (default: the last).")
    required = serializers.BooleanField(default=False, help_text="Is the workshop needed to complete the course?")


class WorkshopListCreateApi(WorkshopListApi):
    """Workshops in the courses you can see, and those you teach. A course's managers create one with POST: a
    new workshop activity at the end of a module, and its workshop."""

    permission_classes = [IsAuthenticatedReadOnlyForApiKeys & (IsReadOnly | IsPerson)]
    error_codes = {"post": (WorkshopErrorCode.INVALID_WORKSHOP, WorkshopErrorCode.NOT_A_WORKSHOP)}

    @extend_schema(request=WorkshopCreateSerializer, responses={201: WorkshopSerializer}, tags=["workshops"])
    def post(self, request):
        data = WorkshopCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        course = access_course_manage(actor=request.user, slug=fields.pop("course"))
        fields["instructors"] = authoring.workshop_instructors_resolve(course=course,
                                                                       ids=fields.pop("instructors", []))
        workshop = authoring.workshop_create_in_course(course=course, **fields)
        return Response(WorkshopSerializer(selectors.workshop_get(actor=request.user, workshop_id=workshop.pk)).data,
                        status=status.HTTP_201_CREATED)


class WorkshopDetailEditApi(WorkshopDetailApi):
    """One workshop; its course's managers change it (PATCH) or delete it while nobody has registered (DELETE)."""

    permission_classes = [IsAuthenticatedReadOnlyForApiKeys & (IsReadOnly | IsPerson)]
    error_codes = {"patch": (WorkshopErrorCode.INVALID_WORKSHOP,), "delete": (WorkshopErrorCode.WORKSHOP_IN_USE,)}

    @extend_schema(request=WorkshopInputSerializer, responses=WorkshopSerializer, tags=["workshops"])
    def patch(self, request, workshop_id: int):
        workshop = selectors.access_workshop_manage(actor=request.user, workshop_id=workshop_id)
        data = WorkshopInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "instructors" in fields:
            fields["instructors"] = authoring.workshop_instructors_resolve(course=workshop.activity.course,
                                                                           ids=fields["instructors"])
        authoring.workshop_update(workshop=workshop, **fields)
        return Response(WorkshopSerializer(selectors.workshop_get(actor=request.user, workshop_id=workshop_id)).data)

    @extend_schema(request=None, responses={204: None}, tags=["workshops"])
    def delete(self, request, workshop_id: int):
        workshop = selectors.access_workshop_manage(actor=request.user, workshop_id=workshop_id)
        authoring.workshop_delete(workshop=workshop)
        return Response(status=status.HTTP_204_NO_CONTENT)
