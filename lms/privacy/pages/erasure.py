"""Erasure pages: the person's at /me/privacy/erase/ (ask, confirm with the password, withdraw) and org
admins' at /org/privacy/<slug>/erasure/ (ask and confirm for a member, set and lift the legal hold)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.errors import ApplicationError
from lms.models import ErasureRequest
from lms.pages.workspace import workspace_page
from lms.privacy.erasure_errors import ErasureErrorCode
from lms.privacy.selectors import erasure as selectors
from lms.privacy.services import erasure as services

org_privacy_page = workspace_page(selectors.erasure_can_administer)


def state_message(request_state: str) -> str:
    return {
        ErasureRequest.State.AWAITING_CONFIRMATION: _("Your request is recorded. Confirm it with your password."),
        ErasureRequest.State.CONFIRMED: _("Confirmed. Your account and personal data are being erased."),
        ErasureRequest.State.HELD: _("Your request is recorded but held: an organization you belong to is under a "
                                     "legal hold. It will be carried out as soon as the hold is lifted."),
    }.get(request_state, "")


def error_message(error: ApplicationError) -> str:
    return {
        ErasureErrorCode.ERASURE_PENDING: _("An erasure of this person is already under way."),
        ErasureErrorCode.ERASURE_NOT_AWAITING: _("There is no erasure request to confirm."),
        ErasureErrorCode.ERASURE_WRONG_PASSWORD: _("The password is not right."),
        ErasureErrorCode.LEGAL_HOLD_REASON_REQUIRED: _("Say why the organization is under legal hold."),
    }.get(error.code, _("The request could not be carried out."))


def _self_action(request) -> None:
    action = request.POST.get("action")
    if action == "request":
        services.erasure_request_self(user=request.user)
    elif action == "confirm":
        confirmed = services.erasure_confirm_self(user=request.user, password=request.POST.get("password", ""))
        messages.info(request, state_message(confirmed.state))
    elif action == "cancel":
        services.erasure_cancel(user=request.user)
        messages.info(request, _("Your erasure request is withdrawn."))


@login_required
@require_http_methods(["GET", "POST"])
def my_erasure(request):
    if request.method == "POST":
        try:
            _self_action(request)
        except ApplicationError as error:
            messages.error(request, error_message(error))
        return redirect("pages:privacy-my-erasure")
    open_request = selectors.erasure_request_open(user=request.user)
    return render(request, "lms/privacy/erasure.html", {
        "open_request": open_request, "message": state_message(open_request.state) if open_request else ""})


def _admin_action(request, slug: str) -> None:
    action = request.POST.get("action")
    if action in ("hold", "lift"):
        organization = selectors.access_erasure_organization(actor=request.user, slug=slug)
        if action == "hold":
            services.legal_hold_set(organization=organization, reason=request.POST.get("reason", ""))
            messages.info(request, _("The legal hold is set. Erasures of members are held until it is lifted."))
        else:
            released = services.legal_hold_lift(organization=organization)
            messages.info(request, _("The legal hold is lifted; %(count)d held erasures will now be carried out.")
                          % {"count": released})
        return
    user_id = request.POST.get("user_id", "")
    if not user_id.isdigit():
        raise Http404
    organization, user = selectors.access_erasure_member(actor=request.user, slug=slug, user_id=int(user_id))
    if action == "request":
        services.erasure_request_by_admin(actor=request.user, organization=organization, user=user)
        messages.info(request, _("The erasure is requested. Confirm it to carry it out."))
    elif action == "confirm":
        confirmed = services.erasure_confirm_by_admin(actor=request.user, organization=organization, user=user)
        messages.info(request, _("The erasure is held by a legal hold.") if confirmed.state == ErasureRequest.State.HELD
                      else _("The erasure is confirmed and will be carried out shortly."))


@org_privacy_page
@require_http_methods(["GET", "POST"])
def org_erasure(request, slug: str):
    organization = selectors.access_erasure_organization(actor=request.user, slug=slug)
    if request.method == "POST":
        try:
            _admin_action(request, slug)
        except ApplicationError as error:
            if error.status_code == 404:
                raise Http404 from None
            messages.error(request, error_message(error))
        return redirect("pages:privacy-org-erasure", slug=slug)
    return render(request, "lms/privacy/org_erasure.html", {
        "organization": organization,
        "organizations": selectors.erasure_organizations_administered(actor=request.user),
        "members": selectors.erasure_members(organization=organization, actor=request.user),
        "requests": selectors.erasure_requests_of_organization(organization=organization)[:50],
    })


@org_privacy_page
def org_privacy_home(request):
    organizations = selectors.erasure_organizations_administered(actor=request.user)
    return redirect("pages:privacy-org-erasure", slug=organizations[0].slug)
