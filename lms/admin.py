"""The back office. Superusers see everything; an org admin sees and edits only their organizations."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from lms import images, services
from lms.branding import logo_url
from lms.models import (
    STAFF_ROLES,
    AccessLogEntry,
    ApiKeyScope,
    Department,
    Membership,
    Organization,
    OrganizationAPIKey,
    Role,
    User,
    UserToken,
)
from lms.pages.forms import LockoutMessageMixin
from lms.privacy.access_services import Channel, access_record
from lms.scoping import is_unrestricted, organization_ids_for
from lms.throttles import page_throttle_wait

admin.site.site_header = "Empathy LMS administration"
admin.site.site_title = "Empathy LMS"
admin.site.unregister(APIKey)  # we use organization-scoped keys only


class AdminSignInForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The admin login says so when an account is locked (lms.lockout), like the learner sign-in page."""


admin.site.login_form = AdminSignInForm


def admin_login(request, extra_context=None):
    """The admin's login behind the same strict per-address throttle as the learner sign-in page."""
    if request.method == "POST":
        wait = page_throttle_wait(request)
        if wait is not None:
            response = render(request, "lms/throttled.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
    return admin.site.login(request, extra_context)


class PrivateFileWidget(AdminFileWidget):
    """The admin's file input without a link to the file's storage address, which nothing serves (stored
    files leave only through views that check the caller, lms.files.file_response): it shows the name."""

    template_name = "lms/admin/private_file_input.html"


# ``formfield_overrides`` for an admin with file fields (ImageField has its own default, so both are named).
PRIVATE_FILE_FIELDS: dict = {models.FileField: {"widget": PrivateFileWidget},
                             models.ImageField: {"widget": PrivateFileWidget}}


def person_label(user: User) -> str:
    """How a person reads in a picker: "Ana Souza <ana@example.com>", or the address alone when no name is set."""
    name = user.get_full_name().strip()
    return f"{name} <{user.email}>" if name else user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def people_choices(request, organization_id: int | None = None) -> QuerySet[User]:
    """The people a staff member may pick: active members of ``organization_id`` (the edited object's), or else
    of the organizations where the staff member holds a staff role; never a superuser. Superusers pick anyone."""
    people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")
    if is_unrestricted(request.user):
        return people
    organizations = {organization_id} if organization_id else organization_ids_for(request.user, *STAFF_ROLES)
    members = Membership.objects.filter(organization_id__in=organizations, is_active=True).values("user_id")
    return people.filter(pk__in=members, is_superuser=False)


class PeoplePickerMixin:
    """For a ModelAdmin: every field that picks people (a foreign key or many-to-many to the user) lists only the
    people of the edited object's organization (``people_organization_id``), labelled by name and email."""

    def people_organization_id(self, obj) -> int | None:
        return getattr(obj, "organization_id", None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form's fields are built inside get_form; they read the organization from the request.
        request.people_organization_id = self.people_organization_id(obj) if obj is not None else None
        request.people_picker_object = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is User:
            kwargs["queryset"] = people_choices(request, getattr(request, "people_organization_id", None))
            kwargs["form_class"] = PersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is User:
            people = people_choices(request, getattr(request, "people_organization_id", None))
            obj = getattr(request, "people_picker_object", None)
            if obj is not None and obj.pk:  # those already chosen stay listed, so saving never drops them unseen
                chosen = getattr(obj, db_field.name).values("pk")
                people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=chosen)).order_by(
                    "first_name", "last_name", "email")
            kwargs["queryset"] = people
            kwargs["form_class"] = PeopleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def admin_organization_ids(request) -> set[int]:
    return organization_ids_for(request.user, Role.ORG_ADMIN)


class AccessLoggedAdmin:
    """A ModelAdmin mixin for a person's rows: showing one's change (or view) page to anyone but that person
    leaves an entry in the access log. ``access_subject`` and ``access_organization`` say whose row it is and in
    which organization(s); the defaults read ``user_id`` and ``organization_id``."""

    def access_subject(self, obj) -> int | None:
        return obj.user_id

    def access_organization(self, request, obj) -> int | list[int] | None:
        return obj.organization_id

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            access_record(actor=request.user, organization=self.access_organization(request, obj),
                          channel=Channel.ADMIN, what=f"admin.{obj._meta.model_name}", subject=self.access_subject(obj),
                          detail={"id": obj.pk})
        return super().render_change_form(request, context, add=add, change=change,  # type: ignore[misc]
                                          form_url=form_url, obj=obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the services write, shown here and never added or edited: to active staff (``superusers_only``:
    to superusers alone), deleted by superusers only. Which rows a viewer sees is the subclass's
    ``get_queryset``."""

    superusers_only = False

    def has_module_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser if self.superusers_only else user.is_staff)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


class OrgScopedAdmin(admin.ModelAdmin):
    """Rows reach an org admin only through ``org_field`` pointing at one of their organizations."""

    org_field = "organization"

    def _is_org_admin(self, request) -> bool:
        return bool(admin_organization_ids(request))

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_unrestricted(request.user):
            return queryset
        return queryset.filter(**{f"{self.org_field}__in": admin_organization_ids(request)})

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or self._is_org_admin(request))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_unrestricted(request.user):
            org_ids = admin_organization_ids(request)
            model = db_field.related_model
            # A subclass that narrowed the choices itself keeps its queryset.
            if model is Organization:
                kwargs.setdefault("queryset", Organization.objects.filter(id__in=org_ids))
            elif hasattr(model, "organization"):
                kwargs.setdefault("queryset", model._default_manager.filter(organization_id__in=org_ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyOrgAdmin(OrgScopedAdmin):
    """Rows only the services write (logs, exports, deliveries): scoped like ``OrgScopedAdmin``, read-only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrganizationAdminForm(forms.ModelForm):
    """The organization, with its logo and certificate signature taken in aside: checked here, saved by the
    service (lms.services.organization_branding_set), which redraws them."""
    logo_upload = forms.FileField(required=False, label=_("New logo"),
                                  help_text=_("JPEG, PNG or WebP. Shown on certificates and their verify page."))
    logo_remove = forms.BooleanField(required=False, label=_("Remove the logo"))
    signature_upload = forms.FileField(required=False, label=_("New certificate signature"),
                                       help_text=_("JPEG, PNG or WebP, ideally on a transparent background."))
    signature_remove = forms.BooleanField(required=False, label=_("Remove the signature"))

    class Meta:
        model = Organization
        fields = ["name", "slug", "timezone", "default_language", "certificate_signer_name",
                  "certificate_signer_title"]

    def clean(self):
        data = super().clean()
        for field in ("logo_upload", "signature_upload"):
            upload = data.get(field)
            if upload is None:
                continue
            try:
                images.branding_prepare(upload.read(), max_bytes=settings.IMAGE_MAX_BYTES, max_width=1200,
                                        max_height=400)
            except images.ImageRefused as exc:
                self.add_error(field, exc.message)
            upload.seek(0)
        return data


@admin.register(Organization)
class OrganizationAdmin(OrgScopedAdmin):
    org_field = "id"
    form = OrganizationAdminForm
    list_display = ["name", "slug", "timezone", "default_language"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["current_logo", "current_signature"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "default_language")}),
        (_("Certificates"), {"fields": ("current_logo", "logo_upload", "logo_remove", "current_signature",
                                        "signature_upload", "signature_remove", "certificate_signer_name",
                                        "certificate_signer_title")}),
    )

    @admin.display(description=_("Logo"))
    def current_logo(self, obj: Organization) -> str:
        url = logo_url(obj)
        return format_html('<img src="{}" alt="" height="48">', url) if url else _("None")

    @admin.display(description=_("Certificate signature"))
    def current_signature(self, obj: Organization) -> str:
        return _("Uploaded (drawn only on certificates)") if obj.certificate_signature else _("None")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        logo, signature = data.get("logo_upload"), data.get("signature_upload")
        if logo or signature or data.get("logo_remove") or data.get("signature_remove"):
            services.organization_branding_set(
                organization=obj, logo=logo.read() if logo else None, signature=signature.read() if signature else None,
                remove_logo=bool(data.get("logo_remove")), remove_signature=bool(data.get("signature_remove")))

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(OrgScopedAdmin):
    list_display = ["name", "code", "organization"]
    list_filter = ["organization"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(AccessLoggedAdmin, OrgScopedAdmin):
    list_display = ["user", "organization", "department", "manager", "employee_id", "is_learner", "is_instructor",
                    "is_supervisor", "is_hr", "is_org_admin", "is_active"]
    list_filter = ["organization", "is_active", "is_learner", "is_instructor", "is_supervisor", "is_hr",
                   "is_org_admin", "department"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "employee_id"]
    list_select_related = ["user", "organization", "department", "manager__user"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["manager"]

    def save_model(self, request, obj, form, change):
        # Writes go through the services so the admin keeps the same rules as the API.
        roles = [role for role in Role.values if getattr(obj, f"is_{role}")]
        if change:
            services.membership_update(membership=obj, roles=roles, department=obj.department, manager=obj.manager,
                                       employee_id=obj.employee_id, is_active=obj.is_active)
        else:
            created = services.membership_create(
                organization=obj.organization, user=obj.user, roles=roles, department=obj.department,
                manager=obj.manager, employee_id=obj.employee_id,
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.membership_delete(membership=obj)


class OrganizationAPIKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple,
        initial=[ApiKeyScope.REPORTS_READ],
        help_text=_("Reports read: HR reports. People read: the organization's people. "
                    "SCIM write: provisioning at /scim/v2/."),
    )

    class Meta:
        model = OrganizationAPIKey
        fields = ["name", "organization", "scopes", "expiry_date", "revoked"]


@admin.register(OrganizationAPIKey)
class OrganizationAPIKeyAdmin(OrgScopedAdmin, APIKeyModelAdmin):
    form = OrganizationAPIKeyForm
    list_display = [*APIKeyModelAdmin.list_display, "organization", "scopes", "last_used_at"]
    list_filter = ["organization", "revoked"]
    actions = ["revoke_keys"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, raw = services.api_key_create(organization=obj.organization, name=obj.name, expires_at=obj.expiry_date,
                                           scopes=list(form.cleaned_data.get("scopes") or []))
        obj.pk, obj.prefix = key.pk, key.prefix
        messages.add_message(
            request, messages.WARNING,
            f"The API key for {obj.name}: {raw} — copy it now, it is not shown again.",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke_keys(self, request, queryset):
        for key in queryset:
            services.api_key_revoke(key=key)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["organization", "department", "employee_id", "is_learner", "is_instructor", "is_supervisor", "is_hr",
              "is_org_admin", "is_active"]


@admin.register(User)
class UserAdmin(AccessLoggedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "timezone", "language")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_unrestricted(request.user):
            return queryset
        return queryset.filter(memberships__organization_id__in=admin_organization_ids(request)).distinct()

    def access_subject(self, obj) -> int | None:
        return obj.pk

    def access_organization(self, request, obj) -> list[int]:
        """The person's organizations the reader administers (a superuser: all the person's)."""
        organizations = obj.memberships.values_list("organization_id", flat=True)
        if not is_unrestricted(request.user):
            organizations = organizations.filter(organization_id__in=admin_organization_ids(request))
        return list(organizations)

    def get_inlines(self, request, obj):
        return [MembershipInline] if request.user.is_superuser else []

    def save_model(self, request, obj, form, change):
        # The admin's changeform runs in one transaction: the name or email and the report rows' sync key
        # (courses.hr_reports) commit together.
        super().save_model(request, obj, form, change)
        if change and {"first_name", "last_name", "email"} & set(form.changed_data):
            services.user_profile_changed(user=obj)

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or bool(admin_organization_ids(request))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyOrgAdmin):
    """The access log (lms.privacy): read-only, an org admin sees their organizations' entries."""

    list_display = ["at", "actor", "api_key_prefix", "subject", "people", "channel", "what", "organization"]
    list_filter = ["channel", "organization"]
    list_select_related = ["actor", "subject", "organization"]
    search_fields = ["actor__email", "subject__email", "api_key_prefix", "what"]
    date_hierarchy = "at"


@admin.register(UserToken)
class UserTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "user", "created_at", "last_used_at"]
    search_fields = ["user__email", "prefix"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False
