"""An erased person is not brought back: SCIM provisioning, the membership CSV import and adding a member by
address answer that they were erased at their request (only salted hashes are kept to tell)."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.models import ErasureRequest, User
from lms.privacy.services import erasure as erasure_services
from tests import factories as people
from tests.lms.privacy.erasure_world import test_registry  # noqa: F401 (a fixture)
from tests.lms.scim.conftest import assert_scim_error, scim_client_for, user_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_registry")]

EMAIL = "quill.erased@example.org"


@pytest.fixture
def erased(org, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(erasure_services, "task_enqueue", lambda *a, **k: None)
    person = people.member(org, user__email=EMAIL, employee_id="EMP-77")
    request = ErasureRequest.objects.create(user=person, role="self", requested_by=person, state="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_services.erasure_run(request_id=request.pk)
    return person


def test_scim_refuses_to_provision_them_again(org, erased):
    response = scim_client_for(org).send("post", "/scim/v2/Users", user_body(EMAIL.upper()))
    body = assert_scim_error(response, 409, "uniqueness")
    assert "erased at the person's request" in body["detail"]
    assert not User.objects.filter(email__iexact=EMAIL).exists()


def test_scim_refuses_their_employee_id_too(org, erased):
    body = user_body("someone.new@example.org", **{
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "EMP-77"}})
    response = scim_client_for(org).send("post", "/scim/v2/Users", body)
    assert_scim_error(response, 409, "uniqueness")


def test_csv_import_names_the_row(org, erased, client_for):
    admin = people.member(org, "org_admin")
    content = f"email,first_name\nfine@example.org,Fine\n{EMAIL},Again\n".encode()
    response = client_for(admin).post(f"/api/v1/organizations/{org.slug}/memberships/import/",
                                      {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
                                      format="multipart")
    assert response.status_code == 400
    bad = response.json()["rows"][-1]
    assert bad["row"] == 3 and any("erased at the person's request" in e for e in bad["errors"])
    assert not User.objects.filter(email="fine@example.org").exists()


def test_adding_them_by_address_is_refused(org, erased, client_for):
    admin = people.member(org, "org_admin")
    response = client_for(admin).post(f"/api/v1/organizations/{org.slug}/memberships/",
                                      {"email": EMAIL}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "erased_person"


def test_someone_else_is_imported(org, erased):
    response = scim_client_for(org).send("post", "/scim/v2/Users", user_body("new.person@example.org"))
    assert response.status_code == 201
