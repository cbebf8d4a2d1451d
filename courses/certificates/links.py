"""Links to a certificate that leave the site: the public verify page and LinkedIn's "add to profile"."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from courses.certificates.models import Certificate


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def linkedin_add_url(certificate: Certificate) -> str:
    params = {
        "startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
        "organizationName": certificate.issuer_name, "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month, "certUrl": verify_url(certificate.code),
        "certId": certificate.code,
    }
    if certificate.expires_at:
        params.update(expirationYear=certificate.expires_at.year, expirationMonth=certificate.expires_at.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
