"""/my/certificates/<id>/: a learner's own certificate, with its issuer's logo, the PDF, the verify page, and the
share and add-to-profile links (each decoded and compared); anyone else gets a 404."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from lms import services as lms_services
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.courses.certificates.test_branding import drawn

pytestmark = pytest.mark.django_db

TITLE = "Calm voices & kind words #1?"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://learn.example.com"


@pytest.fixture
def certificate(org):
    course = one_step_course(title=TITLE, hours_credited=Decimal("2.5"), organization=org, validity_months=24)
    return issued(completed_enrollment(course=course, organization=org))


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(certificate, user=None):
    return browser(user or certificate.enrollment.user).get(f"/my/certificates/{certificate.pk}/")


def links(content: str) -> dict[str, str]:
    """Every link of the page's <main>: its text -> its address (entities decoded)."""
    main = re.search(r"<main\b.*?</main>", content, re.S).group(0)
    return {html.unescape(re.sub(r"<[^>]+>", "", text)).strip(): html.unescape(href)
            for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)}


def query(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    assert parts.fragment == ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


def test_the_owner_sees_the_facts_and_every_link(certificate, org):
    response = page(certificate)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    content = response.content.decode()
    assert html.escape(TITLE) in content and certificate.learner_name in content and certificate.code in content
    found = links(content)
    verify = f"https://learn.example.com/verify/{certificate.code}/"
    assert found["Download PDF"] == f"/api/v1/certificates/{certificate.code}/pdf/"
    assert found["Public verification page"] == verify
    assert query(found["Share on WhatsApp"]) == ("https://wa.me/", {"text": [f"{TITLE} {verify}"]})
    assert query(found["Share on LinkedIn"]) == ("https://www.linkedin.com/sharing/share-offsite/",
                                                 {"url": [verify]})
    issued_at, expires_at = certificate.issued_at, certificate.expires_at
    assert query(found["Add to LinkedIn profile"]) == ("https://www.linkedin.com/profile/add", {
        "startTask": ["CERTIFICATION_NAME"], "name": [TITLE], "organizationName": [org.name],
        "issueYear": [str(issued_at.year)], "issueMonth": [str(issued_at.month)],
        "expirationYear": [str(expires_at.year)], "expirationMonth": [str(expires_at.month)],
        "certUrl": [verify], "certId": [certificate.code]})
    for label in ("Share on WhatsApp", "Share on LinkedIn", "Add to LinkedIn profile"):
        tag = re.search(r'<a [^>]*>\s*' + re.escape(label), content).group(0)
        assert 'rel="noopener noreferrer"' in tag


def test_the_page_shows_the_issuers_logo(certificate, org):
    assert "issuer-logo" not in page(certificate).content.decode()
    lms_services.organization_branding_set(organization=org, logo=drawn(300, 100, (0, 90, 160, 255)))
    content = page(certificate).content.decode()
    assert re.search(rf'<img class="issuer-logo" src="/logos/[0-9a-f]{{32}}\.png" alt="{re.escape(org.name)}">',
                     content)


def test_anyone_else_gets_404(certificate, org, other_org):
    assert page(certificate, people.member(org)).status_code == 404
    assert page(certificate, people.member(other_org)).status_code == 404
    assert page(certificate, people.member(org, "hr")).status_code == 404  # HR sees it in reports, not here
    assert browser(certificate.enrollment.user).get(f"/my/certificates/{certificate.pk + 1}/").status_code == 404
    anonymous = browser().get(f"/my/certificates/{certificate.pk}/")
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]


def test_a_revoked_certificate_offers_no_sharing(certificate):
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Issued by mistake")
    content = page(certificate).content.decode()
    found = links(content)
    assert "Revoked" in content
    assert not {"Share on WhatsApp", "Share on LinkedIn", "Add to LinkedIn profile"} & set(found)


def test_an_expired_certificate_says_so(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(days=1))
    content = page(certificate).content.decode()
    assert "Expired on" in content and "Add to LinkedIn profile" not in content


def test_my_learning_links_to_the_certificate_page(certificate):
    content = browser(certificate.enrollment.user).get("/my/").content.decode()
    assert f'href="/my/certificates/{certificate.pk}/"' in content


def test_in_portuguese(certificate):
    client = browser(certificate.enrollment.user)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    content = client.get(f"/my/certificates/{certificate.pk}/").content.decode()
    assert "Adicionar ao perfil do LinkedIn" in content and "Compartilhar no WhatsApp" in content


def test_the_api_shares_the_same_links(certificate):
    body = browser(certificate.enrollment.user).get(f"/api/v1/certificates/{certificate.code}/").json()
    verify = f"https://learn.example.com/verify/{certificate.code}/"
    assert query(body["share"]["whatsapp"]) == ("https://wa.me/", {"text": [f"{TITLE} {verify}"]})
    assert query(body["share"]["linkedin"])[1] == {"url": [verify]}
