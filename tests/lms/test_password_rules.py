"""AUTH_PASSWORD_VALIDATORS apply wherever a password is chosen: the reset page, the admin's
add-user and change-password forms, and the user_create service (the demo and any future API).
No API endpoint sets a password today; people without one reset it by email."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from lms import services
from lms.errors import ApplicationError
from lms.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WEAK = [
    ("1234", "This password is too short."),
    ("password123", "This password is too common."),
    ("73920584613", "This password is entirely numeric."),
    ("ana.lima@example.com", "The password is too similar to the email address."),
]
STRONG = "Sturdy-passphrase-for-tests-72"
# The memberships inline of the user form (superusers see it).
NO_INLINES = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("password, message", WEAK)
def test_reset_page_refuses_a_weak_password_with_400_and_the_reason(client, password, message):
    ana = UserFactory(email="ana.lima@example.com")
    client.post(reverse("pages:password-reset"), {"email": ana.email})
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    ana.refresh_from_db()
    assert ana.check_password("correct horse battery")


@pytest.mark.parametrize("password, message", WEAK)
def test_admin_add_user_refuses_a_weak_password(superuser_client, password, message):
    response = superuser_client.post("/admin/lms/user/add/", {
        "email": "ana.lima@example.com", "password1": password, "password2": password, "usable_password": "true",
        **NO_INLINES,
    })
    assert response.status_code == 200  # the admin redraws the form with its errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(email="ana.lima@example.com").exists()


def test_admin_add_user_accepts_a_strong_password(superuser_client):
    response = superuser_client.post("/admin/lms/user/add/", {
        "email": "ana.lima@example.com", "password1": STRONG, "password2": STRONG, "usable_password": "true",
        **NO_INLINES,
    })
    assert response.status_code == 302
    assert User.objects.get(email="ana.lima@example.com").check_password(STRONG)


@pytest.mark.parametrize("password, message", WEAK)
def test_admin_change_password_refuses_a_weak_password(superuser_client, password, message):
    ana = UserFactory(email="ana.lima@example.com")
    response = superuser_client.post(f"/admin/lms/user/{ana.pk}/password/", {
        "password1": password, "password2": password, "usable_password": "true",
    })
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    ana.refresh_from_db()
    assert ana.check_password("correct horse battery")


@pytest.mark.parametrize("password, message", WEAK)
def test_user_create_refuses_a_weak_password_and_writes_nothing(password, message):
    with pytest.raises(ApplicationError) as raised:
        services.user_create(email="ana.lima@example.com", password=password)
    assert raised.value.code == "weak_password"
    assert any(line.startswith(message) for line in raised.value.fields["password"])
    assert not User.objects.filter(email="ana.lima@example.com").exists()


def test_user_create_without_a_password_makes_an_unusable_one():
    user = services.user_create(email="ana.lima@example.com")
    assert not user.has_usable_password()
    assert services.user_create(email="bea@example.com", password=STRONG).check_password(STRONG)
