"""Output serializers of the catalog API: course cards and details, modules, activities, lessons.
Serializers never save."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.catalog import covers, lesson_images, services, sharing
from courses.catalog import lesson_content as content
from courses.catalog.models import Activity, Course, Lesson, LessonImage, Module
from lms.serializers import ModelSerializer, Serializer


class CoverSourceSerializer(Serializer):
    url = serializers.CharField(help_text="Served after checking that the caller may see the course.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.ChoiceField(choices=["webp", "jpeg", "png"])


class CoverSerializer(Serializer):
    generated = serializers.BooleanField(help_text="True: no picture was uploaded; `url` is the course's generated "
                                                   "SVG cover, decorative (its `alt` is empty).")
    alt = serializers.CharField(allow_blank=True, help_text="What the picture shows; empty for a generated cover.")
    url = serializers.CharField(help_text="The largest JPEG or PNG (or the SVG when generated).")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    webp = CoverSourceSerializer(many=True, help_text="Every size in WebP, smallest first.")
    fallback = CoverSourceSerializer(many=True, help_text="Every size in JPEG (PNG with transparency), smallest first.")


def cover_data(course: Course) -> dict:
    cover = covers.course_cover(course)
    sources = {name: [{"url": s.url, "width": s.width, "height": s.height, "format": s.format}
                      for s in getattr(cover, name)] for name in ("webp", "fallback")}
    return {"generated": cover.generated, "alt": cover.alt, "url": cover.url, "width": cover.width,
            "height": cover.height, **sources}


class CourseCardSerializer(ModelSerializer):
    category = serializers.CharField(source="category.slug", default=None, read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    organization = serializers.CharField(source="organization.slug", default=None, read_only=True, allow_null=True)
    rating = serializers.SerializerMethodField()
    is_enrolled = serializers.BooleanField(read_only=True, default=False)
    cover = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ["slug", "title", "summary", "language", "category", "tags", "organization", "status",
                  "estimated_minutes", "hours_credited", "rating", "is_enrolled", "published_at", "cover"]

    @extend_schema_field(CoverSerializer)
    def get_cover(self, obj: Course) -> dict:
        return cover_data(obj)

    def get_rating(self, obj: Course) -> dict:
        return {"average": float(obj.rating_average) if obj.rating_average is not None else None,
                "count": obj.rating_count}


class ActivitySerializer(ModelSerializer):
    lesson_type = serializers.CharField(source="lesson.content_type", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = ["id", "title", "kind", "required", "weight", "position", "estimated_minutes", "lesson_type"]


class ModuleSerializer(ModelSerializer):
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "position", "activities"]


class RelatedCourseSerializer(ModelSerializer):
    class Meta:
        model = Course
        fields = ["slug", "title", "language", "estimated_minutes"]


class CourseDetailSerializer(CourseCardSerializer):
    description_html = serializers.CharField(read_only=True)
    modules = ModuleSerializer(many=True, read_only=True)
    instructors = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    share = serializers.SerializerMethodField()
    enrollment = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField()

    class Meta(CourseCardSerializer.Meta):
        fields = [*CourseCardSerializer.Meta.fields, "description_html", "due_days", "instructors", "modules",
                  "related", "share", "enrollment", "certificate"]

    def get_instructors(self, obj: Course) -> list[str]:
        return [user.display_name for user in obj.instructors.all()]

    def get_related(self, obj: Course) -> list[dict]:
        return RelatedCourseSerializer(self.context.get("related", []), many=True).data

    def get_share(self, obj: Course) -> dict:
        return sharing.share_links(obj)

    def get_enrollment(self, obj: Course) -> dict | None:
        enrollment = self.context.get("enrollment")
        if enrollment is None:
            return None
        return {"id": enrollment.pk, "status": enrollment.status, "progress_percent": enrollment.progress_percent}

    def get_certificate(self, obj: Course) -> dict:
        return {"hours_credited": float(obj.hours_credited), "passing_score": obj.passing_score,
                "validity_months": obj.validity_months}


class LessonVideoSerializer(Serializer):
    kind = serializers.CharField(help_text="mp4 or webm")
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.CharField(help_text="Where the video is read (byte ranges honoured).")


class LessonCaptionTrackSerializer(Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="captions or subtitles")
    url = serializers.CharField(help_text="Where the WebVTT file is read.")


class LessonImageSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()
    markdown = serializers.SerializerMethodField()

    class Meta:
        model = LessonImage
        fields = ["id", "name", "alt", "width", "height", "url", "markdown", "uploaded_at"]

    def get_url(self, obj: LessonImage) -> str:
        activity = obj.lesson.activity
        return services.lesson_image_url(obj, course_slug=activity.course.slug, activity_id=activity.pk)

    def get_markdown(self, obj: LessonImage) -> str:
        """What to write in the article to show it (the alt may be left empty: the stored one is used)."""
        return f"![]({lesson_images.SCHEME}{obj.name})"


class LessonSerializer(ModelSerializer):
    activity_id = serializers.IntegerField(source="activity.id")
    title = serializers.CharField(source="activity.title")
    reading_label = serializers.SerializerMethodField()
    reading_words_per_minute = serializers.SerializerMethodField(
        help_text="The silent reading rate reading_minutes assumes: the course language's.")
    video_embed_url = serializers.SerializerMethodField()
    ebook_download_url = serializers.SerializerMethodField()
    has_captions = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()
    captions = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["activity_id", "title", "content_type", "body_html", "word_count", "reading_minutes",
                  "reading_label", "reading_words_per_minute", "video_url", "video_embed_url", "video_duration_seconds",
                  "video", "transcript_html", "has_captions", "captions", "ebook_kind", "ebook_pages", "ebook_size",
                  "ebook_download_url", "images", "updated_at"]

    def get_reading_label(self, obj: Lesson) -> str | None:
        return content.reading_label(obj.reading_minutes) if obj.content_type == "article" else None

    def get_reading_words_per_minute(self, obj: Lesson) -> int:
        return content.words_per_minute(obj.activity.course.language)

    def get_video_embed_url(self, obj: Lesson) -> str | None:
        return content.video_embed_url(obj.video_url) if obj.video_url else None

    def get_ebook_download_url(self, obj: Lesson) -> str | None:
        if not obj.ebook:
            return None
        return f"/api/v1/activities/{obj.activity_id}/lesson/ebook/"

    def get_has_captions(self, obj: Lesson) -> bool:
        return obj.caption_tracks.exists()

    @extend_schema_field(LessonVideoSerializer(allow_null=True))
    def get_video(self, obj: Lesson) -> dict | None:
        if not obj.video:
            return None
        return {"kind": obj.video_kind, "size": obj.video_size,
                "url": f"/api/v1/activities/{obj.activity_id}/lesson/video/"}

    @extend_schema_field(LessonCaptionTrackSerializer(many=True))
    def get_captions(self, obj: Lesson) -> list[dict]:
        return [{"language": track.language, "label": track.label, "kind": track.kind,
                 "url": f"/api/v1/activities/{obj.activity_id}/lesson/captions/{track.language}/"}
                for track in obj.caption_tracks.all()]

    @extend_schema_field(LessonImageSerializer(many=True))
    def get_images(self, obj: Lesson) -> list:
        images = list(obj.images.all())
        for image in images:
            image.lesson = obj  # one lesson: its activity and course are already loaded
        return LessonImageSerializer(images, many=True).data
