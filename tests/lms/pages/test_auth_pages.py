"""Sign in, sign out, password reset and the language switch, as a browser sends them."""
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-demo-password-1"


@pytest.fixture
def learner():
    return UserFactory(email="ana@example.com", password=PASSWORD, first_name="Ana")


def test_sign_in_page_has_labelled_fields(client):
    response = client.get(reverse("pages:sign-in"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert '<main id="main"' in html and 'href="#main"' in html


def test_sign_in_then_out(client, learner):
    response = client.post(reverse("pages:sign-in"), {"username": "ANA@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:my-learning")
    assert client.session.get("_auth_user_id") == str(learner.pk)
    response = client.post(reverse("pages:sign-out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_never_redirects_off_site(client, learner):
    response = client.post(reverse("pages:sign-in"),
                           {"username": learner.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:my-learning")


@pytest.mark.parametrize("data, field, message", [
    ({"username": "", "password": ""}, "username", "This field is required."),
    ({"username": "not-an-email", "password": "x"}, "username", "Enter a valid email address."),
    ({"username": "ana@example.com", "password": "wrong"}, None, "do not match an account"),
])
def test_bad_sign_in_shows_errors_and_signs_nobody_in(client, learner, data, field, message):
    response = client.post(reverse("pages:sign-in"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    if field:
        assert f'id="id_{field}_errors"' in html
        assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*id="id_{field}"', html)
    assert "_auth_user_id" not in client.session


def test_csrf_is_enforced_on_sign_in(learner):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("pages:sign-in"), {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session
    page = browser.get(reverse("pages:sign-in"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(reverse("pages:sign-in"),
                            {"username": learner.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_sign_in_is_throttled_per_address(client, learner, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "strict": "2/min"})
    for _ in range(2):
        assert client.post(reverse("pages:sign-in"), {"username": learner.email, "password": "no"}).status_code == 400
    response = client.post(reverse("pages:sign-in"), {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, learner):
    response = client.post(reverse("pages:password-reset"), {"email": "ana@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    response = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                           {"new_password1": "another-long-passphrase-2", "new_password2": "another-long-passphrase-2"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("another-long-passphrase-2")


def test_password_reset_for_unknown_address_looks_the_same(client):
    response = client.post(reverse("pages:password-reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("pages:password-reset-sent")
    assert mail.outbox == []


def test_password_reset_survives_a_mail_server_that_is_down(client, learner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = client.post(reverse("pages:password-reset"), {"email": learner.email})
    assert response.status_code == 302


def test_weak_new_password_is_refused_with_a_field_error(client, learner):
    client.post(reverse("pages:password-reset"), {"email": learner.email})
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 400
    assert b'id="id_new_password2_errors"' in response.content
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_language_switch_shows_portuguese(client):
    response = client.post(reverse("set_language"), {"language": "pt-br", "next": reverse("pages:sign-in")})
    assert response.status_code == 302
    page = client.get(reverse("pages:sign-in"))
    html = page.content.decode()
    assert '<html lang="pt-BR">' in html
    assert "Esqueceu a senha?" in html and "Endereço de e-mail" in html


def test_a_member_added_without_a_password_sets_one_through_the_reset_link(client):
    from lms import services
    from tests.factories import OrganizationFactory

    services.membership_add_person(organization=OrganizationFactory(), email="new@example.com")
    response = client.post(reverse("pages:password-reset"), {"email": "New@Example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]


def test_an_inactive_account_gets_no_reset_link(client, learner):
    learner.is_active = False
    learner.save()
    client.post(reverse("pages:password-reset"), {"email": learner.email})
    assert mail.outbox == []
