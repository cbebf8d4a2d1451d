"""Lesson content for enrolled learners and course staff; e-book download and uploads."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors as catalog_selectors
from courses.catalog import services, video_files
from courses.catalog.api.serializers import LessonImageSerializer, LessonSerializer
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.models import LessonCaption
from courses.catalog.services import video as video_services
from courses.enrollments import selectors as enrollment_selectors
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.files import file_response
from lms.permissions import IsPerson
from lms.serializers import ModelSerializer, Serializer


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
    """Upload WebVTT captions in the course's language (the track endpoints below name any language)."""
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
        lesson = video_services.lesson_attach_captions(lesson=lesson, data=data.validated_data["file"].read())
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
        # Not blank (the schema says minLength 1); spaces are left to the service, which answers image_alt_required.
        alt = serializers.CharField(max_length=250, trim_whitespace=False,
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


class CaptionTrackSerializer(ModelSerializer):
    class Meta:
        model = LessonCaption
        fields = ["language", "label", "kind", "updated_at"]


VTT_RESPONSE = {(200, "text/vtt"): OpenApiResponse(OpenApiTypes.STR, description="The WebVTT file.")}
VIDEO_RESPONSE = {
    (200, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole video (MP4 or WebM)."),
    (206, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The byte range asked for with `Range`."),
    (416, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The range starts past the end."),
}


class VideoApi(APIView):
    """The lesson's uploaded video (MP4 or WebM): enrolled learners and course staff read it, with byte
    ranges (`Range: bytes=...`); the course's staff upload, replace or remove it. An upload is checked by its
    content and its length is read from the file."""
    error_codes = {"put": (CatalogErrorCode.INVALID_VIDEO, CatalogErrorCode.VIDEO_TOO_LARGE)}

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()

    @extend_schema(responses=VIDEO_RESPONSE, tags=["lessons"])
    def get(self, request, activity_id: int):
        lesson, _ = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
        if not lesson.video:
            raise NotFound("This lesson has no uploaded video.")
        return file_response(lesson.video, content_type=video_files.CONTENT_TYPES.get(lesson.video_kind, "video/mp4"),
                             request=request._request)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=LessonSerializer, tags=["lessons"])
    def put(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        return Response(LessonSerializer(video_services.lesson_video_set(lesson=lesson, file=upload,
                                                                   filename=upload.name)).data)

    @extend_schema(request=None, responses={204: None}, tags=["lessons"])
    def delete(self, request, activity_id: int):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        video_services.lesson_video_remove(lesson=lesson)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaptionTrackApi(APIView):
    """One WebVTT caption track of the lesson, by language tag (`en`, `pt-BR`): read by enrolled learners and
    course staff; added, replaced or removed by the course's staff. A refused file's message names the line."""
    error_codes = {"put": (CatalogErrorCode.CAPTIONS_TOO_LARGE, CatalogErrorCode.INVALID_CAPTIONS,
                           PlatformErrorCode.INVALID_LANGUAGE)}

    permission_classes = [IsPerson]
    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()
        label = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                      help_text="The name the player's menu shows; the language's own name if blank.")
        kind = serializers.ChoiceField(choices=LessonCaption.Kind.choices, required=False)

    @extend_schema(responses=VTT_RESPONSE, tags=["lessons"], operation_id="activities_lesson_caption_track_retrieve")
    def get(self, request, activity_id: int, language: str):
        lesson, _ = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
        track = catalog_selectors.lesson_caption_track(lesson=lesson, language=language)
        return file_response(track.file, content_type="text/vtt; charset=utf-8")

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=CaptionTrackSerializer,
                   tags=["lessons"], operation_id="activities_lesson_caption_track_update")
    def put(self, request, activity_id: int, language: str):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        track = video_services.lesson_caption_set(lesson=lesson, language=language, data=fields.pop("file"), **fields)
        return Response(CaptionTrackSerializer(track).data)

    @extend_schema(request=None, responses={204: None}, tags=["lessons"],
                   operation_id="activities_lesson_caption_track_destroy")
    def delete(self, request, activity_id: int, language: str):
        lesson = enrollment_selectors.access_lesson_manage(actor=request.user, activity_id=activity_id)
        video_services.lesson_caption_remove(lesson=lesson, language=language)
        return Response(status=status.HTTP_204_NO_CONTENT)
