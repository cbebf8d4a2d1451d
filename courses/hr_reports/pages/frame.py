"""The frame of every /hr/ page (`hr_page`) and the organization a page reports on (`hr_organization`)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from courses.hr_reports import queries as reports
from courses.hr_reports import selectors
from lms.errors import ApplicationError, Forbidden, NotFound
from lms.models import Organization


def hr_page(view: Callable) -> Callable:
    """Sign-in, then 403 for anyone who reads no organization's reports (HR and organization admins do, and
    superusers); a selector's NotFound is the 404 page and its Forbidden the 403 page."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.reports_can_read(actor=request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
    return wrapped


def hr_organization(request) -> tuple[Organization, list[Organization]]:
    """The organization named by ``?organization=<slug>`` (404 outside the reader's scope), else the first by name;
    with every organization the reader may switch to."""
    choices = list(selectors.report_organizations(actor=request.user).order_by("name"))
    if not choices:
        raise Http404
    slug = request.GET.get("organization") or choices[0].slug
    try:
        organization = reports.single_organization(request.user, slug)
    except ApplicationError:
        raise Http404 from None
    return organization, choices
