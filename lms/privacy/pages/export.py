"""Data export pages: the person's privacy home (/me/privacy/) with their exports and the button to ask for one,
the signed download link's page, and organization admins' /org/privacy/ listing members with their export."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from lms.errors import Conflict, NotFound
from lms.files import file_response
from lms.pages.workspace import workspace_page
from lms.privacy.selectors import export as selectors
from lms.privacy.services import export as services

PAGE_SIZE = 50

# Sign-in, then 403 for anyone who administers no organization.
org_privacy_page = workspace_page(selectors.export_can_request_for_members)


@login_required
@require_GET
def privacy_home(request):
    exports = list(selectors.exports_of(subject=request.user)[:20])
    rows = [{"export": export, "download": selectors.export_download_path(export)
             if selectors.export_is_downloadable(export) else None} for export in exports]
    return render(request, "lms/privacy/home.html", {
        "nav": "privacy", "rows": rows, "export_active": selectors.export_active_exists(subject=request.user),
    })


@login_required
@require_POST
def privacy_export_request(request):
    try:
        services.export_request(actor=request.user, subject=request.user)
    except Conflict:
        messages.error(request, pgettext("privacy export", "An export of your data is already being prepared. "
                                         "You get a mail when it is ready."))
    else:
        messages.success(request, pgettext("privacy export", "Your export is being prepared. You get a mail with "
                                           "the download link when it is ready."))
    return redirect("pages:privacy-home")


@login_required
@require_GET
def privacy_export_download(request, export_id: int):
    try:
        export = selectors.export_for_download(actor=request.user, export_id=export_id,
                                               token=request.GET.get("token", ""))
    except NotFound:
        raise Http404 from None
    except selectors.ExportGone:
        return render(request, "lms/privacy/export_gone.html", {"nav": "privacy"}, status=410)
    filename = f"my-data-{export.created_at:%Y-%m-%d}.zip"
    return file_response(export.file, content_type="application/zip", filename=filename, as_attachment=True,
                         request=request)


def _organization(request):
    choices = list(selectors.export_admin_organizations(actor=request.user))
    slug = request.GET.get("organization") or request.POST.get("organization") or choices[0].slug
    return selectors.access_export_organization(actor=request.user, slug=slug), choices


@org_privacy_page
@require_GET
def org_privacy(request):
    organization, organizations = _organization(request)
    page = Paginator(selectors.members_with_exports(organization=organization), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "lms/privacy/org.html", {
        "nav": "org-privacy", "organization": organization, "organizations": organizations, "page": page,
    })


@org_privacy_page
@require_POST
def org_privacy_export_request(request, user_id: int):
    organization, organizations = _organization(request)
    _, subject = selectors.access_export_member(actor=request.user, slug=organization.slug, user_id=user_id)
    try:
        services.export_request(actor=request.user, subject=subject, organization=organization)
    except Conflict:
        messages.error(request, pgettext("privacy export", "An export of {name} is already being prepared.")
                       .format(name=subject.display_name))
    else:
        messages.success(request, pgettext("privacy export", "The export of {name} is being prepared; the person "
                                           "gets the download link by mail.").format(name=subject.display_name))
    suffix = f"?organization={organization.slug}" if len(organizations) > 1 else ""
    return redirect(f"/org/privacy/{suffix}")
