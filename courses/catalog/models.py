"""The catalog: categories, tags, courses, modules, activities and lessons."""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from lms.error_codes import PlatformErrorCode
from lms.models import Organization

BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$")


def validate_language(value: str) -> None:
    if not BCP47.match(value or ""):
        raise ValidationError(
            f"'{value}' is not a BCP 47 language tag such as 'en' or 'pt-BR'.", code=PlatformErrorCode.INVALID_LANGUAGE
        )


class Category(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=64)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=16, default="en", validators=[validate_language], db_index=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="courses")
    tags = models.ManyToManyField(Tag, blank=True, related_name="courses")
    cover_image = models.ImageField(upload_to="courses/covers/", blank=True,
                                    help_text="The uploaded picture, re-encoded without its metadata.")
    cover_alt = models.CharField(max_length=250, blank=True,
                                 help_text="What the cover shows, for people who cannot see it (required with one).")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="courses",
        help_text="Empty for the public catalog; otherwise only this organization's members see it.",
    )
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="courses_taught")
    translation_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="translations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    hours_credited = models.DecimalField(max_digits=5, decimal_places=1, default=0,
                                         validators=[MinValueValidator(0)])
    passing_score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)],
                                                     help_text="Final score (0-100) needed to complete.")
    validity_months = models.PositiveSmallIntegerField(null=True, blank=True,
                                                       help_text="Certificate validity; empty = never expires.")
    due_days = models.PositiveSmallIntegerField(null=True, blank=True,
                                                help_text="Days after enrolling by which the course is due.")
    estimated_minutes = models.PositiveIntegerField(default=0, editable=False,
                                                    help_text="Sum of the required activities' estimates: the time "
                                                              "completing the course takes.")
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(passing_score__lte=100), name="course_passing_score_range"),
            models.CheckConstraint(condition=Q(hours_credited__gte=0), name="course_hours_non_negative"),
        ]
        indexes = [models.Index(fields=["status", "organization"])]

    def __str__(self) -> str:
        return self.title


class CourseCoverRendition(models.Model):
    """One size of a course's cover in one format, made once when the cover is uploaded
    (courses/catalog/cover_images.py) and served by the cover view after it checked the caller."""

    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cover_renditions")
    format = models.CharField(max_length=8, choices=Format.choices)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="courses/covers/sizes/")

    class Meta:
        ordering = ["format", "width", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "format", "width"],
                                               name="cover_rendition_one_per_size")]

    def __str__(self) -> str:
        return f"Cover of course {self.course_id}, {self.width}px {self.format}"


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        QUIZ = "quiz", "Quiz"
        ROLEPLAY = "roleplay", "Role-play"
        WORKSHOP = "workshop", "Workshop"
        SURVEY = "survey", "Survey"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="activities")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="activities", editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LESSON)
    required = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(default=1, help_text="Weight in the final score (0 = not scored).")
    position = models.PositiveIntegerField(default=0)
    estimated_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["course", "required"])]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    class ContentType(models.TextChoices):
        ARTICLE = "article", "Article"
        VIDEO = "video", "Video"
        EBOOK = "ebook", "E-book"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="lesson")
    content_type = models.CharField(max_length=16, choices=ContentType.choices, default=ContentType.ARTICLE)
    body = models.TextField(blank=True, help_text="Markdown (articles).")
    body_html = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveIntegerField(default=0, editable=False)
    video_url = models.URLField(max_length=500, blank=True)
    video_duration_seconds = models.PositiveIntegerField(default=0)
    transcript = models.TextField(blank=True, help_text="Markdown (videos).")
    transcript_html = models.TextField(blank=True, editable=False)
    video = models.FileField(upload_to="lessons/videos/", blank=True,
                             help_text="A self-hosted MP4 or WebM, played on the page with its caption tracks.")
    video_kind = models.CharField(max_length=8, blank=True, editable=False)  # "mp4" or "webm"
    video_size = models.PositiveBigIntegerField(default=0, editable=False)
    ebook = models.FileField(upload_to="lessons/ebooks/", blank=True)
    ebook_kind = models.CharField(max_length=8, blank=True, editable=False)
    ebook_pages = models.PositiveIntegerField(default=0, editable=False)
    ebook_size = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_content_type_display()}: {self.activity.title}"


class LessonCaption(models.Model):
    """One WebVTT track of a video lesson, in one language: a <track> of the player and the transcript's cues."""

    class Kind(models.TextChoices):
        CAPTIONS = "captions", "Captions"
        SUBTITLES = "subtitles", "Subtitles"

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="caption_tracks")
    language = models.CharField(max_length=16, validators=[validate_language])
    label = models.CharField(max_length=80, blank=True, help_text="The language's own name when left blank.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CAPTIONS)
    file = models.FileField(upload_to="lessons/captions/")
    # The cues read once at upload ([start, end, text] each), for the page's transcript.
    cues = models.JSONField(default=list, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["lesson", "language"], name="lesson_caption_language_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


class LessonImage(models.Model):
    """A picture in an article, written in its Markdown as ``![alt](image:NAME)``: checked and redrawn
    without metadata when uploaded (lms/images.py), served only to whoever may read the lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="images")
    name = models.SlugField(max_length=64, help_text="What the article's Markdown calls it: ![alt](image:NAME).")
    file = models.ImageField(upload_to="lessons/images/")
    alt = models.CharField(max_length=250, help_text="What the picture shows, for people who cannot see it.")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    uploaded_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "name"], name="lesson_image_name_unique"),
            models.CheckConstraint(condition=~Q(alt=""), name="lesson_image_alt_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.width} x {self.height})"


class CourseSearchDocument(models.Model):
    """A course's entry in the catalog's full-text index (courses/catalog/search_index.py).

    On PostgreSQL ``vector`` holds the weighted ``tsvector`` (GIN-indexed by the migration); on SQLite the
    text lives in the FTS5 table ``catalog_course_fts`` and this row only says the entry is current.
    Written by ``courses.catalog.services.course_search_refresh`` whenever the text changes.
    """

    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"Search entry of course {self.course_id}"
