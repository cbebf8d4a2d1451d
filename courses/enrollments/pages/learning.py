"""My learning: enrollments with progress and due dates, certificates (and one certificate's own page, with its
share and add-to-profile links), workshop registrations."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from courses.certificates import links as certificate_links
from courses.certificates import selectors as certificate_selectors
from courses.certificates import services as certificate_services
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments.models import Enrollment
from courses.workshops import selectors as workshop_selectors
from courses.workshops.pages.learner import status_label as registration_status_label
from lms.branding import logo_url

CONTEXT = "my learning"


def enrollment_status_label(status: str) -> str:
    labels = {
        Enrollment.Status.ACTIVE: pgettext(CONTEXT, "In progress"),
        Enrollment.Status.COMPLETED: pgettext(CONTEXT, "Completed"),
        Enrollment.Status.WITHDRAWN: pgettext(CONTEXT, "Withdrawn"),
        Enrollment.Status.EXPIRED: pgettext(CONTEXT, "Expired"),
    }
    return labels.get(status, status)


def certificate_status_label(status: str) -> str:
    labels = {"valid": pgettext(CONTEXT, "Valid"), "revoked": pgettext(CONTEXT, "Revoked"),
              "expired": pgettext(CONTEXT, "Expired")}
    return labels.get(status, status)


@login_required
@require_GET
def my_learning(request):
    user = request.user
    rows = enrollment_selectors.enrollments_with_next_step(user=user)
    for row in rows:
        row.status_label = enrollment_status_label(row.enrollment.status)
    certificates = list(certificate_selectors.own_certificates(user=user))
    for certificate in certificates:
        certificate.state = certificate.effective_status
        certificate.state_label = certificate_status_label(certificate.state)
        certificate.linkedin_url = certificate_services.linkedin_add_url(certificate)
    registrations = list(workshop_selectors.upcoming_registrations(user=user))
    for registration in registrations:
        registration.status_label = registration_status_label(registration.status)
    return render(request, "courses/pages/my_learning.html", {
        "nav": "my-learning", "rows": rows, "certificates": certificates, "registrations": registrations,
        "zone": workshop_selectors.viewer_timezone(user),
    })


@login_required
@require_GET
def my_certificate(request, certificate_id: int):
    """One of the learner's certificates: its facts, the issuer's logo, the PDF, the public verify page, and
    sharing it (WhatsApp, LinkedIn) or adding it to a LinkedIn profile. Anyone else's answers 404."""
    certificate = certificate_selectors.own_certificate(user=request.user, certificate_id=certificate_id)
    state = certificate.effective_status
    response = render(request, "courses/pages/certificate.html", {
        "nav": "my-learning", "certificate": certificate, "state": state,
        "state_label": certificate_status_label(state), "course": certificate.enrollment.course,
        "logo_url": logo_url(certificate_selectors.issuer_of(certificate)),
        "verify_url": certificate_links.verify_url(certificate.code),
        "share": certificate_links.share_links(certificate),
        "linkedin_add_url": certificate_links.linkedin_add_url(certificate),
    })
    response["Cache-Control"] = "private, no-store"
    return response
