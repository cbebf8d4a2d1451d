"""Lesson content for enrolled learners and course staff; e-book download and uploads."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import services
from courses.catalog.api.serializers import LessonImageSerializer, LessonSerializer
from courses.catalog.errors import CatalogErrorCode
from courses.enrollments import selectors as enrollment_selectors
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.files import file_response
from lms.permissions import IsPerson
from lms.serializers import Serializer


class LessonApi(APIView):
    """A lesson's content: rendered article, video with transcript, or e-book details."""
    error_codes = {
        "patch": (CatalogErrorCode.INVALID_DURATION, CatalogErrorCode.INVALID_LESSON_TYPE,
                  CatalogErrorCode.INVALID_VIDEO_URL),
    }

    permission_classes = [IsPerson]

    class UpdateSerializer(Serializer):
        body = serializers.CharField(max_length=200_000, required=False, allow_blank=True)
        video_url = serializers.CharField(max_length=2048, required=False, allow_blank=True)
        video_duration_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False)
        transcript = serializers.CharField(max_length=200_000, required=False, allow_blank=True)

    @extend_schema(responses=LessonSerializer, tags=["lessons"])
    def get(self, request, activity_id: int):
        lesson, _ = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
        return Response(LessonSerializer(lesson).data)

    @extend_schema(request=UpdateSerializer, responses=LessonSerializer, tags=["lessons"])
    def patch(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(LessonSerializer(services.lesson_update(lesson=lesson, **data.validated_data)).data)


class EbookDownloadApi(APIView):
    """Download the lesson's e-book: enrolled learners and course staff only."""

    permission_classes = [IsPerson]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
                   tags=["lessons"])
    def get(self, request, activity_id: int):
        lesson, _ = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
        if not lesson.ebook:
            raise NotFound("This lesson has no e-book.")
        content_type = "application/pdf" if lesson.ebook_kind == "pdf" else "application/epub+zip"
        return file_response(lesson.ebook, as_attachment=True, filename=lesson.ebook.name.rsplit("/", 1)[-1],
                             content_type=content_type)


class EbookUploadApi(APIView):
    """Upload a PDF or EPUB for a lesson (checked by its content, not its name)."""
    error_codes = (CatalogErrorCode.ACTIVE_CONTENT_EBOOK, CatalogErrorCode.EBOOK_TOO_LARGE,
                   CatalogErrorCode.ENCRYPTED_EBOOK, CatalogErrorCode.INVALID_EBOOK)

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=LessonSerializer, tags=["lessons"])
    def put(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        lesson = services.lesson_attach_ebook(lesson=lesson, data=upload.read(), filename=upload.name)
        return Response(LessonSerializer(lesson).data)


class CaptionsUploadApi(APIView):
    """Upload WebVTT captions for a video lesson."""
    error_codes = (CatalogErrorCode.CAPTIONS_TOO_LARGE, CatalogErrorCode.INVALID_CAPTIONS)

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=LessonSerializer, tags=["lessons"])
    def put(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_attach_captions(lesson=lesson, data=data.validated_data["file"].read())
        return Response(LessonSerializer(lesson).data)


class LessonImageListApi(APIView):
    """Add a picture to an article (JPEG, PNG or WebP, checked by its content and redrawn without metadata);
    the article shows it where its Markdown says ``![alt](image:NAME)``."""
    error_codes = (CatalogErrorCode.IMAGE_ALT_REQUIRED, CatalogErrorCode.IMAGE_NAME_TAKEN,
                   PlatformErrorCode.IMAGE_TOO_LARGE, PlatformErrorCode.INVALID_IMAGE)

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()
        alt = serializers.CharField(max_length=250, allow_blank=True,
                                    help_text="What the picture shows, for people who cannot see it (required).")
        name = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                     help_text="The NAME of image:NAME; by default made from the file's name.")

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: LessonImageSerializer},
                   tags=["lessons"])
    def post(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        image = services.lesson_image_add(lesson=lesson, data=upload.read(), alt=data.validated_data["alt"],
                                          name=data.validated_data.get("name", ""), filename=upload.name)
        return Response(LessonImageSerializer(image).data, status=status.HTTP_201_CREATED)


class LessonImageDetailApi(APIView):
    """Remove a picture from an article (its ``image:NAME`` then shows nothing)."""

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={204: None}, tags=["lessons"])
    def delete(self, request, activity_id: int, image_id: int):
        image = enrollment_selectors.access_lesson_image_manage(actor=request.user, activity_id=activity_id,
                                                                image_id=image_id)
        services.lesson_image_remove(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)
