"""The workshop back office: workshops with their sessions, sessions with parts and roster,
registrations with their history. Saves and actions go through the services."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from courses.catalog.admin_scope import CourseScopedAdmin, CourseScopedInline, managed_course_ids
from courses.catalog.models import Activity
from courses.workshops.models import (
    AttendanceMark,
    Registration,
    RegistrationEvent,
    SessionPart,
    Workshop,
    WorkshopEmail,
    WorkshopSession,
)
from courses.workshops.services import attendance as workshop_attendance
from courses.workshops.services import sessions as workshop_sessions
from lms.errors import ApplicationError

SESSION_FIELDS = ["title", "timezone", "venue", "online_url", "capacity", "waitlist_enabled", "registration_opens_at",
                  "registration_closes_at", "cancellation_cutoff_hours"]


class StaffInline(CourseScopedInline, admin.TabularInline):
    """Course staff hold no Django model permissions; the parent admin's scope decides."""


class SessionInline(StaffInline):
    """Sessions are listed here and edited on their own page (parts, roster, attendance)."""

    model = WorkshopSession
    extra = 0
    fields = ["display_title", "starts_at", "timezone", "capacity", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Workshop)
class WorkshopAdmin(CourseScopedAdmin):
    course_field = "activity__course"
    list_display = ["__str__", "course", "requires_approval"]
    list_select_related = ["activity__course"]
    filter_horizontal = ["instructors"]
    inlines = [SessionInline]

    @admin.display(description="Course")
    def course(self, obj: Workshop) -> str:
        return obj.activity.course.title

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            queryset = Activity.objects.filter(kind=Activity.Kind.WORKSHOP)
            if not request.user.is_superuser:
                queryset = queryset.filter(course__in=managed_course_ids(request))
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = workshop_sessions.workshop_create(activity=obj.activity, description=obj.description,
                                                        requires_approval=obj.requires_approval)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        obj.pk = created.pk


class PartInline(StaffInline):
    model = SessionPart
    extra = 1
    fields = ["starts_at", "ends_at", "required"]


class RosterInline(StaffInline):
    """The roster, in arrival order."""

    model = Registration
    extra = 0
    fields = ["ticket", "user", "status", "attendance", "registered_at"]
    readonly_fields = fields
    can_delete = False
    ordering = ["ticket"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
    verbose_name_plural = "roster"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class SessionForm(forms.ModelForm):
    online_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = WorkshopSession
        fields = ["workshop", *SESSION_FIELDS, "instructors"]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            booked = Registration.objects.filter(session=self.instance, status=Registration.Status.BOOKED).count()
            if capacity is not None and capacity < booked:
                raise forms.ValidationError(f"{booked} seats are booked; the capacity cannot go below that.")
        return capacity


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(CourseScopedAdmin):
    course_field = "workshop__activity__course"
    form = SessionForm
    list_display = ["__str__", "workshop", "status", "capacity", "booked", "starts_at", "timezone"]
    list_filter = ["status", "timezone"]
    list_select_related = ["workshop__activity"]
    filter_horizontal = ["instructors"]
    readonly_fields = ["status", "starts_at", "ends_at", "sequence", "uid", "roster_csv"]
    inlines = [PartInline, RosterInline]
    actions = ["mark_all_attended", "cancel_sessions"]

    @admin.display(description="Booked")
    def booked(self, obj: WorkshopSession) -> int:
        return obj.registrations.filter(status=Registration.Status.BOOKED).count()

    @admin.display(description="Roster")
    def roster_csv(self, obj: WorkshopSession) -> str:
        if not obj.pk:
            return "-"
        return format_html('<a href="{}">Download the roster (CSV)</a>',
                           reverse("v1:workshop-session-roster-csv", kwargs={"session_id": obj.pk}))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workshop" and not request.user.is_superuser:
            kwargs["queryset"] = Workshop.objects.filter(activity__course__in=managed_course_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Saved with its parts in save_related, through the services."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # saved by the service below; the change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        parts_formset = next((fs for fs in formsets if fs.model is SessionPart), None)
        if parts_formset is None:
            return
        parts = [{"id": f.instance.pk, "starts_at": f.cleaned_data["starts_at"], "ends_at": f.cleaned_data["ends_at"],
                  "required": f.cleaned_data.get("required", True)}
                 for f in parts_formset.forms
                 if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("starts_at")]
        fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS if name in form.cleaned_data}
        instructors = list(form.cleaned_data.get("instructors") or [])
        try:
            if change:
                workshop_sessions.session_update(session=form.instance, actor=request.user, parts=parts,
                                                 instructors=instructors, **fields)
            else:
                session = workshop_sessions.session_create(workshop=form.cleaned_data["workshop"], parts=parts,
                                                           instructors=instructors or None, **fields)
                form.instance.pk = session.pk
        except ApplicationError as exc:
            self.message_user(request, f"Session not saved: {exc.message}", messages.ERROR)

    @admin.action(description="Mark every booked learner attended on the parts that have started")
    def mark_all_attended(self, request, queryset):
        now = timezone.now()
        for session in queryset:
            parts = [part for part in session.parts.all() if part.starts_at <= now]
            booked = session.registrations.filter(status=Registration.Status.BOOKED)
            marks = [{"registration": registration.pk, "part": part.pk, "status": AttendanceMark.Status.ATTENDED}
                     for registration in booked for part in parts]
            if not marks:
                self.message_user(request, f"{session}: nothing to mark yet.", messages.WARNING)
                continue
            try:
                counts = workshop_attendance.attendance_record(session=session, actor=request.user, marks=marks)
            except ApplicationError as exc:
                self.message_user(request, f"{session}: {exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{session}: {counts['created'] + counts['changed']} marks recorded.")

    @admin.action(description="Cancel the selected sessions (learners are told)")
    def cancel_sessions(self, request, queryset):
        for session in queryset:
            workshop_sessions.session_cancel(session=session, actor=request.user, reason="cancelled in the back office")


class EventInline(StaffInline):
    model = RegistrationEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MarkInline(StaffInline):
    model = AttendanceMark
    extra = 0
    can_delete = False
    fields = ["part", "status", "marked_by", "marked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(CourseScopedAdmin):
    course_field = "session__workshop__activity__course"
    list_display = ["user", "session", "status", "ticket", "attendance", "registered_at"]
    list_filter = ["status", "attendance"]
    search_fields = ["user__email"]
    list_select_related = ["user", "session__workshop__activity"]
    readonly_fields = [f.name for f in Registration._meta.fields]
    inlines = [MarkInline, EventInline]
    actions = ["approve", "decline"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, approve: bool) -> None:
        for registration in queryset:
            try:
                workshop_sessions.registration_decide(registration=registration, actor=request.user, approve=approve)
            except ApplicationError as exc:
                self.message_user(request, f"{registration}: {exc.message}", messages.ERROR)

    @admin.action(description="Approve the selected registrations")
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description="Decline the selected registrations")
    def decline(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(WorkshopEmail)
class WorkshopEmailAdmin(CourseScopedAdmin):
    course_field = "registration__session__workshop__activity__course"
    list_display = ["key", "kind", "method", "to", "created_at", "sent_at"]
    list_filter = ["kind", "method"]
    readonly_fields = [f.name for f in WorkshopEmail._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
