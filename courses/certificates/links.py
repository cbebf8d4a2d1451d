"""Links to a certificate that leave the site: the public verify page and LinkedIn's "add to profile"."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from courses.catalog.sharing import linkedin_share_url, whatsapp_share_url
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


def share_links(certificate: Certificate) -> dict[str, str]:
    """Sharing the certificate's public verify page: LinkedIn's share box and WhatsApp (the course's title, then
    the address)."""
    url = verify_url(certificate.code)
    return {"url": url, "linkedin": linkedin_share_url(url),
            "whatsapp": whatsapp_share_url(certificate.course_title, url)}
