"""/api/v1/certificates/...: who sees, downloads, revokes and reissues which certificate."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from courses.certificates.models import Certificate, CertificateEvent
from lms.models import User
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course, pdf_text
from tests.courses.factories import build_course
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/certificates/"


def detail(code: str, suffix: str = "") -> str:
    return f"/api/v1/certificates/{code}/{suffix}"


def key_client(organization) -> APIClient:
    _, raw = people.api_key_for(organization)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def setting(org, other_org):
    """A course taught by an instructor; a learner of ``org`` with a certificate; a stranger's certificate."""
    instructor = people.member(org, "instructor")
    course = build_course(activities=[{"title": "Only"}], organization=org)
    course.instructors.set([instructor])
    learner = people.member(org)
    certificate = issued(completed_enrollment(course=course, user=learner))
    stranger = people.member(other_org)
    strangers = issued(completed_enrollment(course=one_step_course(), user=stranger))
    return {"instructor": instructor, "course": course, "learner": learner, "certificate": certificate,
            "stranger": stranger, "strangers": strangers}


def _unchanged(certificate: Certificate) -> None:
    before = certificate
    after = Certificate.objects.get(pk=certificate.pk)
    assert (after.status, after.revoked_at, after.learner_name, after.rendered_at) == (
        before.status, before.revoked_at, before.learner_name, before.rendered_at)
    assert not CertificateEvent.objects.filter(
        certificate=certificate, kind__in=[CertificateEvent.Kind.REVOKED, CertificateEvent.Kind.REISSUED]).exists()


def test_learner_lists_own_certificates_only(client_for, setting):
    response = client_for(setting["learner"]).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert [row["code"] for row in body["results"]] == [setting["certificate"].code]
    row = body["results"][0]
    assert row["status"] == "valid" and row["course"] == setting["course"].slug
    assert row["pdf_url"].endswith(f"/api/v1/certificates/{row['code']}/pdf/")
    assert row["verify_url"].endswith(f"/verify/{row['code']}/")
    assert row["linkedin_add_url"].startswith("https://www.linkedin.com/profile/add?")


def test_list_needs_authentication(api_client, setting):
    response = api_client.get(LIST)
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_someone_elses_certificate_is_not_found(client_for, setting):
    client = client_for(setting["learner"])
    code = setting["strangers"].code
    assert_error(client.get(detail(code)), 404)
    assert_error(client.get(detail(code, "pdf/")), 404)


def test_learner_downloads_own_pdf(client_for, setting):
    certificate = setting["certificate"]
    response = client_for(setting["learner"]).get(detail(certificate.code, "pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'certificate-{certificate.code}.pdf' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert certificate.code in pdf_text(b"".join(response.streaming_content))


def test_pdf_not_rendered_yet_is_a_404_that_says_so(client_for, setting):
    Certificate.objects.filter(pk=setting["certificate"].pk).update(pdf="")
    response = client_for(setting["learner"]).get(detail(setting["certificate"].code, "pdf/"))
    assert_error(response, 404, "pdf_pending")


def test_hr_of_the_learners_organization_downloads_the_pdf(client_for, setting, org):
    hr = people.member(org, "hr")
    response = client_for(hr).get(detail(setting["certificate"].code, "pdf/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    codes = [row["code"] for row in client_for(hr).get(LIST).json()["results"]]
    assert codes == [setting["certificate"].code]


def test_hr_of_another_organization_cannot(client_for, setting, other_org):
    hr = people.member(other_org, "hr")
    assert_error(client_for(hr).get(detail(setting["certificate"].code, "pdf/")), 404)
    assert_error(client_for(hr).get(detail(setting["certificate"].code)), 404)


def test_instructor_sees_but_cannot_download(client_for, setting):
    """The instructor manages the certificate but the PDF is the learner's and their HR's."""
    client = client_for(setting["instructor"])
    assert client.get(detail(setting["certificate"].code)).status_code == 200
    assert_error(client.get(detail(setting["certificate"].code, "pdf/")), 404)


def test_instructor_of_the_course_revokes(client_for, setting):
    certificate = setting["certificate"]
    response = client_for(setting["instructor"]).post(detail(certificate.code, "revoke/"), {"reason": "Cheating"},
                                                      format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "revoked" and body["revoked_reason"] == "Cheating" and body["revoked_at"]
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_by == setting["instructor"]
    event = CertificateEvent.objects.get(certificate=certificate, kind=CertificateEvent.Kind.REVOKED)
    assert event.actor == setting["instructor"]

    again = client_for(setting["instructor"]).post(detail(certificate.code, "revoke/"), {"reason": "Again"},
                                                   format="json")
    assert_error(again, 409, "already_revoked")
    reissue = client_for(setting["instructor"]).post(detail(certificate.code, "reissue/"), {}, format="json")
    assert_error(reissue, 409, "certificate_revoked")
    assert CertificateEvent.objects.filter(certificate=certificate, kind=CertificateEvent.Kind.REVOKED).count() == 1


@pytest.mark.parametrize(("body", "status"), [
    ({}, 400), ({"reason": "x" * 501}, 400),  # not what the schema asks for
    ({"reason": ""}, 422), ({"reason": "   "}, 422),  # a string, but blank once trimmed
])
def test_revoking_without_a_reason_is_refused(client_for, setting, body, status):
    certificate = setting["certificate"]
    response = client_for(setting["instructor"]).post(detail(certificate.code, "revoke/"), body, format="json")
    error = assert_error(response, status)
    assert "reason" in error["fields"]
    _unchanged(certificate)


def test_learner_cannot_revoke_or_reissue_own_certificate(client_for, setting):
    certificate = setting["certificate"]
    client = client_for(setting["learner"])
    assert_error(client.post(detail(certificate.code, "revoke/"), {"reason": "I want to"}, format="json"), 403)
    assert_error(client.post(detail(certificate.code, "reissue/"), {}, format="json"), 403)
    _unchanged(certificate)


def test_a_stranger_cannot_revoke(client_for, setting):
    certificate = setting["certificate"]
    response = client_for(setting["stranger"]).post(detail(certificate.code, "revoke/"), {"reason": "x"},
                                                    format="json")
    assert_error(response, 404)
    _unchanged(certificate)


def test_instructor_of_another_course_cannot_revoke(client_for, setting, org):
    other_instructor = people.member(org, "instructor")
    build_course(activities=[{"title": "x"}], organization=org).instructors.set([other_instructor])
    certificate = setting["certificate"]
    response = client_for(other_instructor).post(detail(certificate.code, "revoke/"), {"reason": "x"},
                                                 format="json")
    assert_error(response, 404)
    _unchanged(certificate)


def test_hr_sees_but_may_not_revoke(client_for, setting, org):
    hr = people.member(org, "hr")
    certificate = setting["certificate"]
    assert_error(client_for(hr).post(detail(certificate.code, "revoke/"), {"reason": "x"}, format="json"), 403)
    _unchanged(certificate)


def test_api_key_lists_its_organizations_certificates_but_cannot_revoke(setting, org):
    client = key_client(org)
    response = client.get(LIST)
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [setting["certificate"].code]
    assert client.get(detail(setting["certificate"].code)).status_code == 200
    assert_error(client.get(detail(setting["strangers"].code)), 404)

    certificate = setting["certificate"]
    assert_error(client.post(detail(certificate.code, "revoke/"), {"reason": "x"}, format="json"), 403)
    assert_error(client.post(detail(certificate.code, "reissue/"), {}, format="json"), 403)
    _unchanged(certificate)


def test_instructor_reissues_after_a_name_change(client_for, setting):
    certificate = setting["certificate"]
    User.objects.filter(pk=setting["learner"].pk).update(first_name="Renée", last_name="Okafor")
    response = client_for(setting["instructor"]).post(detail(certificate.code, "reissue/"),
                                                      {"reason": "Legal name change"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["code"] == certificate.code
    assert response.json()["learner_name"] == "Renée Okafor"
    certificate.refresh_from_db()
    assert "Renée Okafor" in pdf_text(certificate.pdf.read())
    event = CertificateEvent.objects.get(certificate=certificate, kind=CertificateEvent.Kind.REISSUED)
    assert event.actor == setting["instructor"] and event.detail["reason"] == "Legal name change"


def test_list_query_count_does_not_grow_with_rows(client_for, django_assert_max_num_queries, org):
    hr = people.member(org, "hr")
    course = one_step_course(organization=org)
    for _ in range(12):
        issued(completed_enrollment(course=course, organization=org), render=False)
    with django_assert_max_num_queries(6):
        response = client_for(hr).get(LIST)
    assert response.status_code == 200 and response.json()["count"] == 12
