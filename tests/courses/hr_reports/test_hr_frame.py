"""The frame of HR's workspace at /hr/: who may open it, the header link, the organization switch."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lms.models import Organization, Role
from tests import factories as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    return (Organization.objects.create(name="Acme", slug="acme"),
            Organization.objects.create(name="Globex", slug="globex"))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_and_org_admins_open_the_workspace_and_see_its_link(organizations):
    acme, _ = organizations
    for role in (Role.HR, Role.ORG_ADMIN):
        page = client_for(people.member(acme, role)).get("/hr/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'href="/hr/" aria-current="page">HR</a>' in html
        assert "HR · Acme" in html


def test_learners_and_instructors_get_403_and_no_link(organizations):
    acme, _ = organizations
    for role in (Role.LEARNER, Role.INSTRUCTOR):
        client = client_for(people.member(acme, role))
        assert client.get("/hr/").status_code == 403
        assert 'href="/hr/"' not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in():
    answer = Client().get("/hr/")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("pages:sign-in"))


def test_another_organizations_slug_is_404(organizations):
    acme, _globex = organizations
    client = client_for(people.member(acme, Role.HR))
    assert client.get("/hr/?organization=globex").status_code == 404
    assert client.get("/hr/?organization=acme").status_code == 200


def test_a_reader_of_two_organizations_switches_between_them(organizations):
    acme, globex = organizations
    user = people.member(acme, Role.HR)
    people.MembershipFactory(organization=globex, user=user, roles=["hr"])
    html = client_for(user).get("/hr/?organization=globex").content.decode()
    assert "HR · Globex" in html
    assert '<option value="globex" selected>Globex</option>' in html


def test_the_workspace_speaks_portuguese(organizations):
    acme, _ = organizations
    client = client_for(people.member(acme, Role.HR))
    html = client.get("/hr/", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "RH · Acme" in html and "Visão geral" in html
