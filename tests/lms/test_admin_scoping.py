"""The back office: an org admin sees and edits only their organization; learners stay out."""
from __future__ import annotations

import pytest
from django.test import Client

from lms import services
from lms.models import Department, Membership, OrganizationAPIKey, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_world(org, other_org):
    """Organization A with an org admin (made through the services, so is_staff is synced) and a
    learner; organization B with its own department and member."""
    org_admin = services.membership_add_person(organization=org, email="olivia@a.example", roles=["org_admin"]).user
    org_admin.set_password("pw")
    org_admin.save()
    learner = services.membership_add_person(organization=org, email="lena@a.example", roles=["learner"]).user
    dept_a = factories.DepartmentFactory(organization=org, name="Care-A")
    dept_b = factories.DepartmentFactory(organization=other_org, name="Billing-B")
    member_b = services.membership_add_person(organization=other_org, email="bruno@b.example", department=dept_b)
    factories.api_key_for(org, name="key-of-A")
    factories.api_key_for(other_org, name="key-of-B")
    return {"org_admin": org_admin, "learner": learner, "dept_a": dept_a, "dept_b": dept_b, "member_b": member_b}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_org_admin_is_staff_and_learner_is_not(admin_world):
    assert admin_world["org_admin"].is_staff is True
    assert User.objects.get(pk=admin_world["learner"].pk).is_staff is False


def test_membership_changelist_shows_only_own_organization(admin_world):
    response = _signed_in(admin_world["org_admin"]).get("/admin/lms/membership/")
    assert response.status_code == 200
    shown = {m.user.email for m in response.context["cl"].result_list}
    assert shown == {"olivia@a.example", "lena@a.example"}
    assert b"bruno@b.example" not in response.content


def test_department_changelist_shows_only_own_organization(admin_world):
    response = _signed_in(admin_world["org_admin"]).get("/admin/lms/department/")
    assert response.status_code == 200
    assert [d.name for d in response.context["cl"].result_list] == ["Care-A"]
    assert b"Billing-B" not in response.content


def test_user_changelist_shows_only_own_organizations_people(admin_world):
    response = _signed_in(admin_world["org_admin"]).get("/admin/lms/user/")
    assert response.status_code == 200
    assert sorted(u.email for u in response.context["cl"].result_list) == ["lena@a.example", "olivia@a.example"]


def test_api_key_and_organization_changelists_are_scoped(admin_world, org):
    client = _signed_in(admin_world["org_admin"])
    keys = client.get("/admin/lms/organizationapikey/")
    assert [k.name for k in keys.context["cl"].result_list] == ["key-of-A"]
    orgs = client.get("/admin/lms/organization/")
    assert [o.pk for o in orgs.context["cl"].result_list] == [org.pk]


def test_another_organizations_objects_cannot_be_opened(admin_world, other_org):
    client = _signed_in(admin_world["org_admin"])
    member_b, dept_b = admin_world["member_b"], admin_world["dept_b"]
    for url in (
        f"/admin/lms/membership/{member_b.pk}/change/",
        f"/admin/lms/department/{dept_b.pk}/change/",
        f"/admin/lms/user/{member_b.user_id}/change/",
        f"/admin/lms/organization/{other_org.pk}/change/",
        f"/admin/lms/membership/{member_b.pk}/delete/",
    ):
        response = client.get(url)
        # Django's admin answers an object outside the queryset by redirecting to the index
        # with "doesn't exist" (or a 404); either way nothing of it is shown.
        assert response.status_code in (302, 404), (url, response.status_code)
        if response.status_code == 302:
            assert response.url == "/admin/"
        assert b"bruno@b.example" not in response.content


def test_another_organizations_membership_cannot_be_changed_by_post(admin_world):
    member_b = admin_world["member_b"]
    client = _signed_in(admin_world["org_admin"])
    client.post(f"/admin/lms/membership/{member_b.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/lms/department/{admin_world['dept_b'].pk}/change/", {"name": "Taken", "code": ""})
    assert Membership.objects.filter(pk=member_b.pk).exists()
    assert Department.objects.get(pk=admin_world["dept_b"].pk).name == "Billing-B"


def test_membership_form_offers_only_own_organizations_choices(admin_world, org):
    response = _signed_in(admin_world["org_admin"]).get("/admin/lms/membership/add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["organization"].queryset) == [org]
    assert [d.name for d in form.fields["department"].queryset] == ["Care-A"]


def test_admin_edit_goes_through_the_services(admin_world, org):
    """Giving a learner the instructor role in the admin makes them staff, as the API would."""
    learner = admin_world["learner"]
    membership = Membership.objects.get(user=learner, organization=org)
    response = _signed_in(admin_world["org_admin"]).post(f"/admin/lms/membership/{membership.pk}/change/", {
        "user": learner.pk, "organization": org.pk, "department": admin_world["dept_a"].pk, "manager": "",
        "employee_id": "E-7", "is_learner": "on", "is_instructor": "on", "is_active": "on",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    membership.refresh_from_db()
    assert (membership.is_instructor, membership.employee_id, membership.department_id) == (
        True, "E-7", admin_world["dept_a"].pk)
    assert User.objects.get(pk=learner.pk).is_staff is True


def test_learner_cannot_use_the_admin(admin_world):
    client = _signed_in(admin_world["learner"])
    for url in ("/admin/", "/admin/lms/membership/", f"/admin/lms/membership/{admin_world['member_b'].pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_learner_cannot_sign_in_to_the_admin(admin_world):
    learner = admin_world["learner"]
    learner.set_password("pw")
    learner.save()
    client = Client()
    response = client.post("/admin/login/", {"username": "lena@a.example", "password": "pw"})
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_org_admin_signs_in_with_email_in_any_case(admin_world):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "Olivia@A.example", "password": "pw"})
    assert response.status_code == 302
    assert client.get("/admin/lms/membership/").status_code == 200


def test_staff_without_org_admin_role_sees_no_people_models(admin_world, org):
    instructor = services.membership_add_person(organization=org, email="ines@a.example", roles=["instructor"]).user
    assert instructor.is_staff is True
    client = _signed_in(instructor)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/lms/membership/").status_code == 403
    assert client.get("/admin/lms/user/").status_code == 403


def test_superuser_sees_everything(admin_world):
    root = User.objects.create_superuser(email="root@example.com", password="pw")
    response = _signed_in(root).get("/admin/lms/membership/")
    assert {m.user.email for m in response.context["cl"].result_list} == {
        "olivia@a.example", "lena@a.example", "bruno@b.example"}
    assert OrganizationAPIKey.objects.count() == 2
