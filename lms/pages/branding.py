"""An organization's logo, at an address only its certificates and pages show.

The logo's stored name carries 128 random bits (``lms.services.organization_branding_set``), and that name is its
address: unguessable, so no list of the organizations can be read from it, and new with every upload, so anyone's
cache may keep it. The certificate signature has no address at all: it is only drawn into the PDF.
"""
from __future__ import annotations

from django.views.decorators.http import require_GET

from lms import selectors
from lms.files import file_response


@require_GET
def organization_logo(request, token: str):
    organization = selectors.organization_with_logo(token=token)
    return file_response(organization.logo, content_type="image/png", cache_control="public, max-age=86400")
