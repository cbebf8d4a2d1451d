"""The back office for certificates: their events, revoke and reissue through the services."""
from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from courses.certificates import selectors
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate, CertificateEvent

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from lms.admin import AccessLoggedAdmin
from lms.errors import ApplicationError


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    """Revoke and reissue from the back office; every action leaves an event."""

    list_display = ["code", "learner_name", "course_title", "issuer_name", "issued_at", "expires_at", "status",
                    "emailed_at"]
    list_filter = ["status", "issuer_name"]
    search_fields = ["code", "learner_name", "course_title", "enrollment__user__email"]
    list_select_related = ["enrollment__course", "enrollment__user"]
    # The PDF shows as a link to its checked view (not to the storage's address, which nothing serves).
    exclude = ["pdf"]
    readonly_fields = [f.name if f.name != "pdf" else "pdf_download" for f in Certificate._meta.fields
                       if f.name != "show_score"]
    inlines = [CertificateEventInline]
    actions = ["reissue", "revoke"]

    @admin.display(description="PDF")
    def pdf_download(self, obj: Certificate) -> str:
        if not obj.pdf:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("v1:certificate-pdf", args=[obj.code]),
                           f"certificate-{obj.code}.pdf")

    def get_queryset(self, request):
        return selectors.certificates_visible_to(actor=request.user)

    def access_subject(self, obj: Certificate) -> int | None:
        return obj.enrollment.user_id

    def access_organization(self, request, obj: Certificate) -> int | None:
        return obj.enrollment.organization_id

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
