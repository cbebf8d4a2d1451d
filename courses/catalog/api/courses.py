"""The catalog: list and detail for everyone signed in; authoring for instructors and org admins."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors as catalog_selectors
from courses.catalog import services
from courses.catalog.api.serializers import CourseCardSerializer, CourseDetailSerializer, ModuleSerializer
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.models import Activity, Course, Lesson
from courses.enrollments import selectors as enrollment_selectors
from courses.errors import CoursesErrorCode
from lms.error_codes import PlatformErrorCode
from lms.errors import NotFound
from lms.pagination import PageNumberPagination
from lms.selectors import none_of
from lms.serializers import Serializer


class CourseFilter(django_filters.FilterSet):
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact")
    category = django_filters.CharFilter(field_name="category__slug")
    tag = django_filters.CharFilter(method="filter_tag")
    organization = django_filters.CharFilter(method="filter_organization",
                                             help_text="An organization's slug, or 'public' for the public catalog.")
    status = django_filters.ChoiceFilter(choices=Course.Status.choices)
    search = django_filters.CharFilter(
        method="filter_search", max_length=200,
        help_text="Words found in the title, summary, tags, description or lesson text (any accents, word forms "
                  "and prefixes); without `ordering` the best matches come first.")

    class Meta:
        model = Course
        fields = ["language", "category", "tag", "organization", "status", "search"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(catalog_selectors.courses_tagged_q(value))

    def filter_organization(self, queryset, name, value):
        if value == "public":
            return queryset.filter(organization__isnull=True)
        return queryset.filter(organization__slug=value)

    def filter_search(self, queryset, name, value):
        return catalog_selectors.courses_search(queryset, value)


class CourseListApi(GenericAPIView):
    """Courses the caller may see: published ones, plus drafts of courses they manage."""
    error_codes = {
        "post": (PlatformErrorCode.INVALID_LANGUAGE, PlatformErrorCode.ORGANIZATION_NOT_FOUND,
                 PlatformErrorCode.SLUG_TAKEN),
    }

    serializer_class = CourseCardSerializer
    pagination_class = PageNumberPagination
    filterset_class = CourseFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["title", "published_at", "rating_average", "estimated_minutes", "created_at"]
    ordering = ["title", "id"]
    queryset = none_of(Course)

    class InputSerializer(Serializer):
        slug = serializers.SlugField(max_length=100)
        title = serializers.CharField(max_length=200)
        summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
        description = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
        language = serializers.CharField(max_length=16, required=False)
        category = serializers.CharField(max_length=64, required=False, allow_blank=True)
        tags = serializers.ListField(child=serializers.CharField(max_length=64), max_length=20, required=False)
        organization = serializers.SlugField(required=False, allow_null=True,
                                             help_text="Owning organization's slug; empty for the public catalog.")
        hours_credited = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, required=False)
        passing_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
        validity_months = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True)
        due_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)

    def get_queryset(self):
        queryset = catalog_selectors.course_catalog(actor=self.request.user)
        return catalog_selectors.course_with_my_state(queryset, self.request.user)

    def filter_queryset(self, queryset):
        """A search without ``ordering`` lists the best matches first (then by title)."""
        queryset = super().filter_queryset(queryset)
        if self.request.query_params.get("search", "").strip() and not self.request.query_params.get("ordering"):
            queryset = queryset.order_by("-search_rank", "title", "id")
        return queryset

    @extend_schema(responses=CourseCardSerializer(many=True), tags=["courses"])
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CourseDetailSerializer}, tags=["courses"])
    def post(self, request):
        """Create a draft course. Instructors and org admins; the creator becomes an instructor."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organization = catalog_selectors.access_course_create(actor=request.user,
                                                              organization_slug=values.pop("organization", None))
        course = services.course_create(created_by=request.user, organization=organization, **values)
        course = catalog_selectors.course_detail(actor=request.user, slug=course.slug)
        return Response(CourseDetailSerializer(course, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    error_codes = {
        "patch": (PlatformErrorCode.INVALID_LANGUAGE, CatalogErrorCode.COVER_ALT_REQUIRED),
    }

    class UpdateSerializer(CourseListApi.InputSerializer):
        slug = None
        title = serializers.CharField(max_length=200, required=False)
        organization = None
        cover_alt = serializers.CharField(max_length=250, required=False, allow_blank=True,
                                          help_text="What the cover picture shows; required while it has one.")

    @extend_schema(responses=CourseDetailSerializer, tags=["courses"])
    def get(self, request, slug: str):
        course = catalog_selectors.course_detail(actor=request.user, slug=slug)
        context = {
            "request": request,
            "related": catalog_selectors.related_courses(actor=request.user, course=course),
            "enrollment": enrollment_selectors.user_enrollment(user=request.user, course=course),
        }
        return Response(CourseDetailSerializer(course, context=context).data)

    @extend_schema(request=UpdateSerializer, responses=CourseDetailSerializer, tags=["courses"])
    def patch(self, request, slug: str):
        course = catalog_selectors.access_course_manage(actor=request.user, slug=slug)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.course_update(course=course, **data.validated_data)
        return self.get(request, slug)


class CoursePublishApi(APIView):
    error_codes = (CatalogErrorCode.COURSE_EMPTY, CatalogErrorCode.COURSE_NOT_READY)

    @extend_schema(request=None, responses=CourseDetailSerializer, tags=["courses"])
    def post(self, request, slug: str):
        services.course_publish(course=catalog_selectors.access_course_manage(actor=request.user, slug=slug))
        return Response(CourseDetailSerializer(catalog_selectors.course_detail(actor=request.user, slug=slug),
                                               context={"request": request}).data)


class CourseArchiveApi(APIView):
    @extend_schema(request=None, responses=CourseDetailSerializer, tags=["courses"])
    def post(self, request, slug: str):
        services.course_archive(course=catalog_selectors.access_course_manage(actor=request.user, slug=slug))
        return Response(CourseDetailSerializer(catalog_selectors.course_detail(actor=request.user, slug=slug),
                                               context={"request": request}).data)


class ModuleCreateApi(APIView):
    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200)
        position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)

    @extend_schema(request=InputSerializer, responses={201: ModuleSerializer}, tags=["courses"])
    def post(self, request, slug: str):
        course = catalog_selectors.access_course_manage(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module = services.module_create(course=course, **data.validated_data)
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


class ActivityLessonInputSerializer(Serializer):
    content_type = serializers.ChoiceField(choices=Lesson.ContentType.choices)
    body = serializers.CharField(max_length=200_000, required=False, allow_blank=True)
    video_url = serializers.CharField(max_length=2048, required=False, allow_blank=True)
    video_duration_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False)
    transcript = serializers.CharField(max_length=200_000, required=False, allow_blank=True)


class ActivityCreateApi(APIView):
    error_codes = (CatalogErrorCode.INVALID_DURATION, CatalogErrorCode.INVALID_LESSON_TYPE,
                   CatalogErrorCode.INVALID_VIDEO_URL, CoursesErrorCode.INVALID_KIND)

    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=Activity.Kind.choices, default=Activity.Kind.LESSON)
        required = serializers.BooleanField(default=True)
        weight = serializers.IntegerField(min_value=0, max_value=100, default=1)
        position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
        estimated_minutes = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
        lesson = ActivityLessonInputSerializer(required=False, help_text="For kind=lesson (ignored otherwise); without "
                                       "it the lesson starts as an empty article.")

    @extend_schema(request=InputSerializer, responses={201: ModuleSerializer}, tags=["courses"])
    def post(self, request, slug: str, module_id: int):
        course = catalog_selectors.access_course_manage(actor=request.user, slug=slug)
        module = course.modules.filter(pk=module_id).first()
        if module is None:
            raise NotFound("No such module in this course.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lesson = values.pop("lesson", None)
        services.activity_create(module=module, lesson=lesson, **values)
        module.refresh_from_db()
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)



class CourseCoverApi(APIView):
    """The course's cover picture: upload (JPEG, PNG or WebP, checked by its content; sizes in WebP and JPEG or
    PNG are made once, here) or remove it (the generated cover shows again). The course's managers only."""
    error_codes = {
        "put": (CatalogErrorCode.COVER_ALT_REQUIRED, CatalogErrorCode.COVER_TOO_LARGE, CatalogErrorCode.INVALID_COVER),
    }

    parser_classes = [MultiPartParser]

    class InputSerializer(Serializer):
        file = serializers.FileField()
        # Not blank (the schema says minLength 1); spaces are left to the service, which answers cover_alt_required.
        alt = serializers.CharField(max_length=250, trim_whitespace=False,
                                    help_text="What the picture shows, for people who cannot see it (required).")

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=CourseDetailSerializer,
                   tags=["courses"])
    def put(self, request, slug: str):
        course = catalog_selectors.access_course_manage(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        services.course_cover_set(course=course, data=upload.read(), alt=data.validated_data["alt"],
                                  filename=upload.name or "cover")
        return Response(CourseDetailSerializer(catalog_selectors.course_detail(actor=request.user, slug=slug),
                                               context={"request": request}).data)

    @extend_schema(request=None, responses={200: CourseDetailSerializer}, tags=["courses"])
    def delete(self, request, slug: str):
        services.course_cover_remove(course=catalog_selectors.access_course_manage(actor=request.user, slug=slug))
        return Response(CourseDetailSerializer(catalog_selectors.course_detail(actor=request.user, slug=slug),
                                               context={"request": request}).data)
