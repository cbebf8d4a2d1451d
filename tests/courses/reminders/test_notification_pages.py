"""Notification preferences: the form over the reminders service; bad input is a 400 that writes nothing."""
from __future__ import annotations

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from courses.reminders import services as reminders
from courses.reminders.models import NotificationPreference
from courses.reminders.registry import sources
from lms.errors import ApplicationError
from tests import factories as people
from tests.helpers import page_text as text
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

URL = "/my/notifications/"




def every_kind_on() -> dict:
    return {f"kind_{kind}": "on" for kind in sources()}


@pytest.fixture
def learner(org):
    org.timezone = "America/Sao_Paulo"
    org.save(update_fields=["timezone"])
    return people.member(org, user__email="ana@example.com")


def stored(user) -> tuple | None:
    user.refresh_from_db()
    row = NotificationPreference.objects.filter(user=user).first()
    if row is None:
        return (user.timezone,)
    return (user.timezone, row.email_enabled, row.disabled_kinds, row.quiet_start, row.quiet_end, row.quiet_days)


def test_url_name_and_sign_in(client):
    assert reverse("pages:notifications") == URL
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("pages:sign-in"))
    assert client.post(URL, {"email_enabled": "on"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_form_shows_the_defaults(learner):
    response = signed_in(learner).get(URL)
    assert response.status_code == 200
    page, body = response.content.decode(), text(response)
    assert page.count("<h1>") == 1 and ">Save preferences</button>" in page
    assert re.search(r'<input type="checkbox" name="email_enabled"[^>]*checked', page)
    for kind in sources():
        assert re.search(rf'<input type="checkbox" name="kind_{kind}"[^>]*checked', page), kind
    assert "A course is overdue" in body and "Monday" in body and "Sunday" in body
    assert "My organization&#x27;s (America/Sao_Paulo)" in page and "Now in use: America/Sao_Paulo." in body
    assert '<label for="id_quiet_start">' in page and 'type="time"' in page


def test_saving_writes_through_the_service(learner):
    data = {**every_kind_on(), "own_quiet_hours": "on", "quiet_start": "22:30", "quiet_end": "07:00",
            "quiet_days": ["7", "6"], "timezone": "Europe/Lisbon"}
    del data["kind_overdue"], data["kind_inactivity"]
    response = signed_in(learner).post(URL, data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification preferences are saved." in text(response)
    assert stored(learner) == ("Europe/Lisbon", False, ["inactivity", "overdue"], datetime.time(22, 30),
                               datetime.time(7, 0), [6, 7])
    page = response.content.decode()  # the form shows what was saved
    assert not re.search(r'name="email_enabled"[^>]*checked', page)
    assert not re.search(r'name="kind_overdue"[^>]*checked', page)
    assert re.search(r'name="own_quiet_hours"[^>]*checked', page) and 'value="22:30"' in page
    assert re.search(r'<option value="Europe/Lisbon" selected>', page)

    # Back to the organization's quiet hours and time zone; a kind turned on again.
    response = signed_in(learner).post(URL, {**every_kind_on(), "email_enabled": "on", "timezone": ""})
    assert response.status_code == 302
    assert stored(learner) == ("", True, [], None, None, None)


def test_own_quiet_hours_with_no_quiet_days(learner):
    data = {**every_kind_on(), "email_enabled": "on", "own_quiet_hours": "on", "quiet_start": "20:00",
            "quiet_end": "09:00"}
    assert signed_in(learner).post(URL, data).status_code == 302
    assert stored(learner)[3:] == (datetime.time(20, 0), datetime.time(9, 0), [])


@pytest.mark.parametrize("change, field, message", [
    ({"own_quiet_hours": "on", "quiet_start": "", "quiet_end": "07:00"}, "quiet_start",
     "Give a time, or use your organization"),
    ({"own_quiet_hours": "on", "quiet_start": "21:00"}, "quiet_end", "Give a time, or use your organization"),
    ({"own_quiet_hours": "on", "quiet_start": "25:61", "quiet_end": "07:00"}, "quiet_start", "Enter a valid time."),
    ({"quiet_days": ["9"]}, "quiet_days", "Select a valid choice."),
    ({"quiet_days": ["monday"]}, "quiet_days", "Select a valid choice."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Select a valid choice."),
])
def test_bad_input_is_400_and_writes_nothing(learner, change, field, message):
    before = stored(learner)
    response = signed_in(learner).post(URL, {**every_kind_on(), "timezone": "Europe/Lisbon", **change})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and message in html.unescape(page)
    assert f'id="id_{field}_errors"' in page or field == "quiet_days"
    assert stored(learner) == before  # neither the preferences nor the time zone


def test_a_refusal_from_the_service_undoes_the_time_zone_too(learner, monkeypatch):
    def refuse(**kwargs):
        raise ApplicationError("Unknown reminder kinds.", code="invalid_kind", fields={"kinds": ["'x' is not one."]})

    monkeypatch.setattr(reminders, "notification_preference_update", refuse)
    before = stored(learner)
    response = signed_in(learner).post(URL, {**every_kind_on(), "timezone": "Asia/Tokyo"})
    assert response.status_code == 400
    assert "&#x27;x&#x27; is not one." in response.content.decode()
    assert stored(learner) == before
    assert 'value="Asia/Tokyo" selected' in response.content.decode()  # the form keeps what was typed


def test_a_paused_address_can_be_resumed(learner):
    reminders.address_pause(user=learner, reason="550 mailbox unavailable")
    client = signed_in(learner)
    body = text(client.get(URL))
    assert "paused because an email to it could not be delivered" in body and "550 mailbox unavailable" in body
    assert client.post(URL, {**every_kind_on(), "email_enabled": "on", "resume": "on"}).status_code == 302
    assert NotificationPreference.objects.get(user=learner).paused_at is None
    assert "Resume sending" not in text(client.get(URL))


def test_csrf_is_enforced(learner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(URL, {"email_enabled": ""}).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_portuguese(learner):
    client = signed_in(learner)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    response = client.get(URL)
    body = text(response)
    for words in ("Preferências de notificação", "Enviar lembretes por e-mail", "Horário de silêncio",
                  "Um curso está atrasado", "Segunda-feira", "Salvar preferências"):
        assert words in body, words
    response = client.post(URL, {"own_quiet_hours": "on"})
    assert response.status_code == 400
    assert "Informe um horário ou use o horário de silêncio da sua organização." in text(response)
    response = client.post(URL, {"email_enabled": "on"}, follow=True)
    assert "Suas preferências de notificação foram salvas." in text(response)


def test_the_paused_reason_is_escaped(learner):
    reminders.address_pause(user=learner, reason="<script>alert(1)</script>")
    page = signed_in(learner).get(URL).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
