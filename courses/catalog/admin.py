"""The instructor's back office for the catalog: courses with module, activity and lesson inlines,
preview, publish; categories and tags."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from courses.catalog import cover_images, lesson_images, services
from courses.catalog.admin_scope import CourseScopedAdmin, CourseScopedInline
from courses.catalog.models import Activity, Category, Course, Lesson, LessonCaption, LessonImage, Module, Tag
from courses.catalog.services import video as video_services

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from lms.admin import PRIVATE_FILE_FIELDS
from lms.errors import ApplicationError
from lms.models import Organization
from lms.scoping import is_unrestricted, organization_ids_for


class ModuleInline(CourseScopedInline, admin.TabularInline):
    model = Module
    extra = 0
    fields = ["title", "position"]
    show_change_link = True


class CourseAdminForm(forms.ModelForm):
    """The course form, with the cover picture taken in aside: the service checks and redraws it."""
    cover_upload = forms.FileField(required=False, label=_("New cover picture"),
                                   help_text=_("JPEG, PNG or WebP, at least 320 x 180 pixels; cut to 16:9."))
    cover_remove = forms.BooleanField(required=False, label=_("Remove the cover picture"),
                                      help_text=_("The course's generated cover shows instead."))
    refusals = {
        "invalid_cover": _("This file is not a still JPEG, PNG or WebP picture of at least 320 x 180 pixels, "
                           "or it is damaged."),
        "cover_too_large": _("This picture is too large: at most 8000 pixels on a side, 40 million pixels in "
                             "all, and the size COVER_MAX_BYTES allows."),
    }

    class Meta:
        model = Course
        fields = ["cover_alt"]  # the admin's fieldsets name the rest; the picture itself comes through the service
        labels = {"cover_alt": _("Cover text (alt)")}
        help_texts = {"cover_alt": _("What the picture shows, for people who cannot see it. Required with a "
                                     "picture.")}

    def clean(self):
        data = super().clean()
        upload = data.get("cover_upload")
        if upload is not None and not data.get("cover_remove"):
            try:
                cover_images.cover_check(upload.read(), max_bytes=settings.COVER_MAX_BYTES)
            except ApplicationError as exc:
                self.add_error("cover_upload", self.refusals.get(exc.code, exc.message))
            upload.seek(0)
        has_cover = upload is not None or (bool(self.instance.cover_image) and not data.get("cover_remove"))
        if has_cover and not (data.get("cover_alt") or "").strip():
            self.add_error("cover_alt", _("Say what the cover picture shows, for people who cannot see it."))
        return data


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin):
    course_field = "pk"
    form = CourseAdminForm
    formfield_overrides = PRIVATE_FILE_FIELDS
    list_display = ["title", "slug", "language", "category", "organization", "status", "estimated_minutes",
                    "rating_average", "rating_count", "preview_link"]
    list_filter = ["status", "language", "category", "organization"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags", "instructors"]
    readonly_fields = ["estimated_minutes", "rating_average", "rating_count", "published_at", "preview_link",
                       "cover_image"]
    inlines = [ModuleInline]
    actions = ["publish", "archive"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description", "language", "category", "tags",
                           "translation_of")}),
        (_("Cover"), {"fields": ("cover_image", "cover_upload", "cover_alt", "cover_remove")}),
        ("Audience and staff", {"fields": ("organization", "instructors", "status", "published_at")}),
        ("Certificate and schedule", {"fields": ("hours_credited", "passing_score", "validity_months", "due_days")}),
        ("Derived", {"fields": ("estimated_minutes", "rating_average", "rating_count", "preview_link")}),
    )

    @admin.display(description="Preview")
    def preview_link(self, obj: Course) -> str:
        if not obj.pk:
            return "-"
        return format_html('<a href="{}" target="_blank" rel="noopener">API view</a>',
                           reverse("v1:course", kwargs={"slug": obj.slug}))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not is_unrestricted(request.user):
            kwargs["queryset"] = Organization.objects.filter(
                id__in=organization_ids_for(request.user, "instructor", "org_admin"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("summary", "description", "language", "category",
                                                             "organization", "hours_credited", "passing_score",
                                                             "validity_months", "due_days", "translation_of")
                  if name in form.cleaned_data}
        if change:
            obj.title = form.cleaned_data.get("title", obj.title)
            services.course_update(course=obj, **fields)
        else:
            created = services.course_create(slug=obj.slug, title=obj.title, created_by=request.user, **fields)
            obj.pk = created.pk
        self._save_cover(obj, form.cleaned_data)

    @staticmethod
    def _save_cover(course: Course, data: dict) -> None:
        course = Course.objects.get(pk=course.pk)
        if data.get("cover_remove"):
            services.course_cover_remove(course=course)
        elif data.get("cover_upload") is not None:
            upload = data["cover_upload"]
            services.course_cover_set(course=course, data=upload.read(), alt=data.get("cover_alt", ""),
                                      filename=upload.name)
        elif "cover_alt" in data:
            services.course_update(course=course, cover_alt=data["cover_alt"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.course_search_refresh(course=form.instance)  # the tags and modules saved above are searched

    @admin.action(description="Publish the selected courses")
    def publish(self, request, queryset):
        for course in queryset:
            try:
                services.course_publish(course=course)
            except ApplicationError as exc:
                self.message_user(request, f"{course}: {exc.message}", messages.ERROR)

    @admin.action(description="Archive the selected courses")
    def archive(self, request, queryset):
        for course in queryset:
            services.course_archive(course=course)


class ActivityInline(CourseScopedInline, admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["title", "kind", "required", "weight", "position", "estimated_minutes"]
    readonly_fields = ["estimated_minutes"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(CourseScopedAdmin):
    list_display = ["title", "course", "position"]
    list_filter = ["course"]
    inlines = [ActivityInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Activity) and not instance.course_id:
                instance.course_id = form.instance.course_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        services.course_recompute_estimate(course=form.instance.course)
        services.course_search_refresh(course=form.instance.course)


class LessonForm(forms.ModelForm):
    """The lesson, with a new video taken in aside: the service checks it by its content before keeping it."""
    video_upload = forms.FileField(required=False, label=_("Upload a video (MP4 or WebM)"),
                                   help_text=_("Played on the lesson page with its caption tracks (on the "
                                               "lesson's own page); its length is read from the file."))

    class Meta:
        model = Lesson
        fields = ["content_type", "body", "video_url", "video_duration_seconds", "transcript", "ebook"]


class LessonInline(CourseScopedInline, admin.StackedInline):
    model = Lesson
    form = LessonForm
    formfield_overrides = PRIVATE_FILE_FIELDS
    extra = 0
    fields = ["content_type", "body", "video_url", "video_file", "video_upload", "video_duration_seconds",
              "transcript", "ebook", "word_count", "reading_minutes", "ebook_pages"]
    readonly_fields = ["video_file", "word_count", "reading_minutes", "ebook_pages"]
    show_change_link = True  # the lesson's own page holds its pictures and caption tracks

    @admin.display(description=_("Uploaded video"))
    def video_file(self, lesson: Lesson) -> str:
        """The file's name, linked to the view that checks the caller (never its media path)."""
        if lesson is None or not lesson.pk or not lesson.video:
            return "-"
        address = reverse("pages:lesson-video", args=[lesson.activity.course.slug, lesson.activity_id])
        return format_html('<a href="{}">{}</a> ({})', address, lesson.video.name.rsplit("/", 1)[-1],
                           filesizeformat(lesson.video_size))


@admin.register(Activity)
class ActivityAdmin(CourseScopedAdmin):
    list_display = ["title", "course", "module", "kind", "required", "weight", "estimated_minutes"]
    list_filter = ["kind", "required", "course"]
    inlines = [LessonInline]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            lesson = inline_form.instance
            lesson.activity = form.instance
            data = inline_form.cleaned_data
            upload = data.get("ebook")
            try:
                lesson_fields = {k: data[k] for k in ("content_type", "body", "video_url", "video_duration_seconds",
                                                      "transcript") if k in data}
                if lesson.pk is None:
                    lesson.save()
                services.lesson_update(lesson=lesson, **lesson_fields)
                if upload is not None and hasattr(upload, "read") and "ebook" in inline_form.changed_data:
                    upload.seek(0)
                    services.lesson_attach_ebook(lesson=lesson, data=upload.read(), filename=upload.name)
                video = data.get("video_upload")
                if video is not None:
                    video_services.lesson_video_set(lesson=lesson, file=video, filename=video.name)
            except ApplicationError as exc:
                self.message_user(request, f"Lesson not saved: {exc.message}", messages.ERROR)
        for obj in formset.deleted_objects:
            obj.delete()
        services.course_search_refresh(course=form.instance.course)


class LessonImageForm(forms.ModelForm):
    """A picture of the article: a new one is uploaded here and checked now (the service redraws it on save);
    a kept one may change only its text."""
    upload = forms.FileField(required=False, label=_("Picture"),
                             help_text=_("JPEG, PNG or WebP. Show it in the article with ![](image:NAME)."))

    class Meta:
        model = LessonImage
        fields = ["name", "alt"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # made from the file's name when left empty
        if self.instance.pk is not None:
            self.fields["name"].disabled = True  # the article names it: renaming would break it
            self.fields["upload"].disabled = True

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if self.instance.pk is None and upload is None and not self.errors:
            self.add_error("upload", _("Choose the picture to upload."))
        elif upload is not None:
            try:
                lesson_images.image_prepare(upload.read(), max_bytes=settings.IMAGE_MAX_BYTES)
            except ApplicationError as exc:
                self.add_error("upload", exc.message)
            upload.seek(0)
        return data


class LessonImageInline(CourseScopedInline, admin.TabularInline):
    model = LessonImage
    form = LessonImageForm
    extra = 0
    fields = ["name", "alt", "upload", "width", "height"]
    readonly_fields = ["width", "height"]


class LessonCaptionForm(forms.ModelForm):
    """A caption track: a new one needs its WebVTT file; a kept one may change its label and kind, or take a
    new file. The service checks the file line by line on save."""
    upload = forms.FileField(required=False, label=_("WebVTT file"),
                             help_text=_("Checked line by line; its cues make the transcript on the lesson page."))

    class Meta:
        model = LessonCaption
        fields = ["language", "label", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["language"].disabled = True  # another language is another track

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("upload") is None and not self.errors:
            self.add_error("upload", _("Choose the WebVTT file to upload."))
        return data


class LessonCaptionInline(CourseScopedInline, admin.TabularInline):
    model = LessonCaption
    form = LessonCaptionForm
    extra = 0
    fields = ["language", "label", "kind", "upload"]


@admin.register(Lesson)
class LessonAdmin(CourseScopedAdmin):
    """A lesson's pictures and caption tracks (its text and video are edited on its activity's page)."""
    course_field = "activity__course"
    list_display = ["__str__", "content_type"]
    fields = ["activity", "content_type"]
    readonly_fields = ["activity", "content_type"]
    inlines = [LessonImageInline, LessonCaptionInline]

    def _save_captions(self, request, lesson: Lesson, formset) -> None:
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            data, track = inline_form.cleaned_data, inline_form.instance
            upload = data.get("upload")
            try:
                if upload is None:
                    with track.file.open("rb") as handle:
                        content = handle.read()
                else:
                    content = upload.read()
                video_services.lesson_caption_set(lesson=lesson, language=data.get("language") or track.language,
                                            data=content, label=data.get("label", ""), kind=data["kind"])
            except (ApplicationError, OSError) as exc:
                self.message_user(request, f"Captions not saved: {getattr(exc, 'message', exc)}", messages.ERROR)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                video_services.lesson_caption_remove(lesson=lesson, language=deleted.instance.language)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def save_formset(self, request, form, formset, change):
        # What the admin's change message reads; the services below do the saving.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is LessonCaption:
            self._save_captions(request, form.instance, formset)
            return
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            data, image = inline_form.cleaned_data, inline_form.instance
            try:
                if image.pk is None:
                    upload = data["upload"]
                    services.lesson_image_add(lesson=form.instance, data=upload.read(), alt=data.get("alt", ""),
                                              name=data.get("name", ""), filename=upload.name)
                else:
                    services.lesson_image_update(image=image, alt=data.get("alt", ""))
            except ApplicationError as exc:
                self.message_user(request, f"Picture not saved: {exc.message}", messages.ERROR)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                services.lesson_image_remove(image=deleted.instance)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
