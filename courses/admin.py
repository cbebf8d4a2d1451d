"""The instructor's back office: courses with module, activity and lesson inlines, preview, publish.

Instructors see the courses they teach; org admins their organization's courses; superusers all.
Saves go through the services, so reading time and estimates follow every edit.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html

from courses import selectors, services
from courses.models import (
    Activity,
    ActivityProgress,
    Category,
    Certificate,
    CertificateEvent,
    Course,
    Enrollment,
    Lesson,
    Module,
    Rating,
    Tag,
)
from courses.services import certificates as certificate_services
from lms.errors import ApplicationError
from lms.scoping import is_unrestricted, organization_ids_for


def managed_course_ids(request) -> QuerySet:
    """Ids of the courses the signed-in user manages (for admin querysets of any app)."""
    return selectors.courses_manageable_by(actor=request.user).values("pk")


def is_course_staff(request) -> bool:
    """May use the course back office: active staff who are instructors or org admins somewhere."""
    return request.user.is_active and request.user.is_staff and (
        request.user.is_superuser or bool(organization_ids_for(request.user, "instructor", "org_admin"))
    )


class CourseScopedAdmin(admin.ModelAdmin):
    """Rows reach course staff only through ``course_field`` pointing at a course they manage."""

    course_field = "course"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_unrestricted(request.user):
            return queryset
        return queryset.filter(**{f"{self.course_field}__in": managed_course_ids(request)})

    def _is_course_staff(self, request) -> bool:
        return is_course_staff(request)

    def has_module_permission(self, request) -> bool:
        return self._is_course_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_course_staff(request)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["title", "position"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin):
    course_field = "pk"
    list_display = ["title", "slug", "language", "category", "organization", "status", "estimated_minutes",
                    "rating_average", "rating_count", "preview_link"]
    list_filter = ["status", "language", "category", "organization"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags", "instructors"]
    readonly_fields = ["estimated_minutes", "rating_average", "rating_count", "published_at", "preview_link"]
    inlines = [ModuleInline]
    actions = ["publish", "archive"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description", "language", "category", "tags",
                           "cover_image", "translation_of")}),
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
            from lms.models import Organization

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


class ActivityInline(admin.TabularInline):
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


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["content_type", "body", "video_url", "video_duration_seconds", "transcript", "captions", "ebook",
              "word_count", "reading_minutes", "ebook_pages"]
    readonly_fields = ["word_count", "reading_minutes", "ebook_pages"]


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
            except ApplicationError as exc:
                self.message_user(request, f"Lesson not saved: {exc.message}", messages.ERROR)
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "organization", "status", "progress_percent", "final_score", "enrolled_at",
                    "due_at", "completed_at"]
    list_filter = ["status", "course", "organization"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course", "organization"]
    readonly_fields = [f.name for f in Enrollment._meta.fields]
    actions = ["withdraw"]

    def get_queryset(self, request):
        return selectors.enrollments_visible_to(actor=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description="Withdraw the selected enrollments")
    def withdraw(self, request, queryset):
        for enrollment in queryset:
            try:
                services.enrollment_withdraw(enrollment=enrollment)
            except ApplicationError as exc:
                self.message_user(request, f"{enrollment}: {exc.message}", messages.ERROR)


@admin.register(ActivityProgress)
class ActivityProgressAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "activity", "status", "score", "attempts", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["enrollment__user", "enrollment__course", "activity"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            enrollment__in=selectors.enrollments_visible_to(actor=request.user).values("pk"))

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(CourseScopedAdmin):
    list_display = ["course", "user", "stars", "updated_at"]
    list_filter = ["stars"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Revoke and reissue from the back office; every action leaves an event."""

    list_display = ["code", "learner_name", "course_title", "issuer_name", "issued_at", "expires_at", "status",
                    "emailed_at"]
    list_filter = ["status", "issuer_name"]
    search_fields = ["code", "learner_name", "course_title", "enrollment__user__email"]
    list_select_related = ["enrollment__course", "enrollment__user"]
    readonly_fields = [f.name for f in Certificate._meta.fields if f.name != "show_score"]
    inlines = [CertificateEventInline]
    actions = ["reissue", "revoke"]

    def get_queryset(self, request):
        return selectors.certificates_visible_to(actor=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return selectors.certificate_can_manage(actor=request.user, certificate=obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if "show_score" in form.changed_data:
            Certificate.objects.filter(pk=obj.pk).update(show_score=obj.show_score)
            certificate_services.certificate_reissue(certificate=obj, actor=request.user,
                                                     reason="score display changed in the admin")

    def _for_each_managed(self, request, queryset, change) -> None:
        """Apply ``change(certificate)`` to each selected certificate the user may manage, reporting refusals."""
        for certificate in queryset:
            if not selectors.certificate_can_manage(actor=request.user, certificate=certificate):
                self.message_user(request, f"{certificate.code}: not allowed.", messages.ERROR)
                continue
            try:
                change(certificate)
            except ApplicationError as exc:
                self.message_user(request, f"{certificate.code}: {exc.message}", messages.ERROR)

    @admin.action(description="Reissue (current name and title, same code)")
    def reissue(self, request, queryset):
        self._for_each_managed(request, queryset, lambda certificate: certificate_services.certificate_reissue(
            certificate=certificate, actor=request.user, reason="admin action"))

    @admin.action(description="Revoke (reason: revoked by an administrator)")
    def revoke(self, request, queryset):
        self._for_each_managed(request, queryset, lambda certificate: certificate_services.certificate_revoke(
            certificate=certificate, actor=request.user, reason="revoked by an administrator"))


from courses import admin_workshops  # noqa: E402, F401  (registers the workshop admin)

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from courses.models import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint  # noqa: E402
from courses.services import webhooks as webhook_services  # noqa: E402
from lms.admin import ReadOnlyOrgAdmin  # noqa: E402


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyOrgAdmin):
    list_display = ("id", "organization", "format", "status", "rows_done", "rows_total", "runs", "requested_by",
                    "api_key_prefix", "created_at", "finished_at", "expires_at")
    list_filter = ("status", "format")
    readonly_fields = [f.name for f in ReportExport._meta.fields]


@admin.register(ReportAuditEntry)
class ReportAuditEntryAdmin(ReadOnlyOrgAdmin):
    list_display = ("at", "kind", "organization", "user", "api_key_prefix", "format", "filters")
    list_filter = ("kind", "format")
    search_fields = ("user__email", "api_key_prefix")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ReportAuditEntry._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyOrgAdmin):
    list_display = ("url", "organization", "event_types", "is_active", "consecutive_failures", "disabled_at",
                    "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("organization", "url", "description", "event_types", "is_active", "consecutive_failures",
                       "disabled_at", "disabled_reason", "created_by", "created_at")
    exclude = ("secret_encrypted",)  # never shown
    actions = ["switch_on", "switch_off"]

    @admin.action(description="Switch the selected endpoints on (failure count reset)")
    def switch_on(self, request, queryset):
        for endpoint in queryset:
            webhook_services.webhook_endpoint_update(endpoint=endpoint, is_active=True)
        self.message_user(request, f"{queryset.count()} endpoint(s) switched on.", messages.SUCCESS)

    @admin.action(description="Switch the selected endpoints off")
    def switch_off(self, request, queryset):
        for endpoint in queryset:
            webhook_services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
        self.message_user(request, f"{queryset.count()} endpoint(s) switched off.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyOrgAdmin):
    org_field = "endpoint__organization"
    list_display = ("id", "event_type", "object_id", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at", "replays")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["replay"]

    @admin.action(description="Send the selected deliveries again")
    def replay(self, request, queryset):
        for delivery in queryset:
            webhook_services.webhook_delivery_replay(delivery=delivery)
        self.message_user(request, f"{queryset.count()} delivery(ies) queued again.", messages.SUCCESS)
from courses import admin_reminders  # noqa: E402,F401  (registers the reminder admin)
