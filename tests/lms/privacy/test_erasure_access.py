"""Who may erase whom, over the API and the pages; the legal hold's API; re-import of an erased person refused."""
from __future__ import annotations

import pytest
from django.test import Client

from lms.models import ErasureRequest
from lms.privacy.services import erasure as erasure_services
from tests import factories as people

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    sent: list = []
    monkeypatch.setattr(erasure_services, "task_enqueue", lambda name, args=(), **kw: sent.append((name, args)))
    return sent


def test_a_person_asks_and_confirms_with_their_password(org, client_for, _no_worker,
                                                        django_capture_on_commit_callbacks):
    person = people.member(org)
    client = client_for(person)
    assert client.get("/api/v1/privacy/me/erasure/").status_code == 404
    asked = client.post("/api/v1/privacy/me/erasure/")
    assert asked.status_code == 201 and asked.json()["state"] == "awaiting_confirmation"
    wrong = client.post("/api/v1/privacy/me/erasure/confirm/", {"password": "nope"}, format="json")
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "erasure_wrong_password"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/api/v1/privacy/me/erasure/confirm/", {"password": PASSWORD}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    assert _no_worker == [("lms.privacy_erase", [done.json()["id"]])]
    assert client.post("/api/v1/privacy/me/erasure/").status_code == 409


def test_an_api_key_cannot(org, api_client):
    _, raw = people.api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.post("/api/v1/privacy/me/erasure/").status_code in (401, 403)
    member = people.member(org)
    assert api_client.post(f"/api/v1/privacy/organizations/{org.slug}/members/{member.pk}/erasure/"
                           ).status_code in (401, 403, 404)


def test_org_admin_erases_only_their_members(org, other_org, client_for, django_capture_on_commit_callbacks):
    admin = people.member(org, "org_admin")
    member, stranger = people.member(org), people.member(other_org)
    client = client_for(admin)
    base = f"/api/v1/privacy/organizations/{org.slug}/members"
    assert client.post(f"{base}/{stranger.pk}/erasure/").status_code == 404
    assert client.post(f"/api/v1/privacy/organizations/{other_org.slug}/members/{stranger.pk}/erasure/"
                       ).status_code == 404
    assert client.post(f"{base}/{admin.pk}/erasure/").status_code == 404  # not themselves this way
    asked = client.post(f"{base}/{member.pk}/erasure/")
    assert asked.status_code == 201 and asked.json()["role"] == "org_admin"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{base}/{member.pk}/erasure/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"


def test_hr_cannot(org, client_for):
    hr = people.member(org, "hr")
    member = people.member(org)
    client = client_for(hr)
    assert client.post(f"/api/v1/privacy/organizations/{org.slug}/members/{member.pk}/erasure/").status_code == 404
    assert client.put(f"/api/v1/privacy/organizations/{org.slug}/legal-hold/", {"reason": "x"},
                      format="json").status_code == 404


def test_legal_hold_over_the_api(org, client_for, _no_worker, django_capture_on_commit_callbacks):
    admin = people.member(org, "org_admin")
    member = people.member(org)
    client = client_for(admin)
    url = f"/api/v1/privacy/organizations/{org.slug}/legal-hold/"
    assert client.put(url, {"reason": " "}, format="json").status_code in (400, 422)
    held = client.put(url, {"reason": "Litigation 14"}, format="json")
    assert held.status_code == 200 and held.json()["legal_hold"] is True
    client.post(f"/api/v1/privacy/organizations/{org.slug}/members/{member.pk}/erasure/")
    confirmed = client.post(f"/api/v1/privacy/organizations/{org.slug}/members/{member.pk}/erasure/confirm/")
    assert confirmed.json()["state"] == "held" and "legal hold" in confirmed.json()["message"]
    with django_capture_on_commit_callbacks(execute=True):
        lifted = client.delete(url)
    assert lifted.status_code == 200 and lifted.json()["released"] == 1
    assert ErasureRequest.objects.get().state == "confirmed" and len(_no_worker) == 1


@pytest.mark.parametrize(("language", "words"), [("en", "Erase my account and data"),
                                                 ("pt-br", "Apagar minha conta e meus dados")])
def test_my_erasure_page(org, language, words):
    person = people.member(org)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person)
    page = client.get("/me/privacy/erase/")
    assert page.status_code == 200 and words in page.content.decode()
    client.post("/me/privacy/erase/", {"action": "request"})
    client.post("/me/privacy/erase/", {"action": "confirm", "password": PASSWORD})
    assert ErasureRequest.objects.get().state == "confirmed"


def test_held_message_on_my_page(org):
    person = people.member(org)
    org.legal_hold = True
    org.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    client.post("/me/privacy/erase/", {"action": "request"})
    client.post("/me/privacy/erase/", {"action": "confirm", "password": PASSWORD})
    assert "legal hold" in client.get("/me/privacy/erase/").content.decode()
    assert ErasureRequest.objects.get().state == "held"


@pytest.mark.parametrize(("language", "words"), [("en", "Erasure and legal hold"),
                                                 ("pt-br", "Apagamento e retenção legal")])
def test_org_page(org, other_org, language, words):
    admin = people.member(org, "org_admin")
    member, stranger = people.member(org), people.member(other_org)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin)
    page = client.get(f"/org/privacy/{org.slug}/erasure/")
    assert page.status_code == 200 and words in page.content.decode()
    assert client.get(f"/org/privacy/{other_org.slug}/erasure/").status_code == 404
    assert client.post(f"/org/privacy/{org.slug}/erasure/", {"action": "request", "user_id": stranger.pk}
                       ).status_code == 404
    client.post(f"/org/privacy/{org.slug}/erasure/", {"action": "hold", "reason": "Audit"})
    client.post(f"/org/privacy/{org.slug}/erasure/", {"action": "request", "user_id": member.pk})
    client.post(f"/org/privacy/{org.slug}/erasure/", {"action": "confirm", "user_id": member.pk})
    assert ErasureRequest.objects.get().state == "held"


def test_org_page_refuses_learners_and_hr(org):
    for role in ("learner", "hr"):
        client = Client()
        client.force_login(people.member(org, role))
        assert client.get(f"/org/privacy/{org.slug}/erasure/").status_code == 403


def test_org_page_names_the_members_it_lists(org):
    """Members are shown by name and address (a member without a name by address alone), in the list to
    choose from and in the requests."""
    admin = people.member(org, "org_admin")
    zoe = people.member(org, user__first_name="Zoë", user__last_name="Abreu", user__email="z.abreu@example.com")
    nameless = people.member(org, user__first_name="", user__last_name="", user__email="nobody@example.com")
    client = Client()
    client.force_login(admin)
    client.post(f"/org/privacy/{org.slug}/erasure/", {"action": "request", "user_id": zoe.pk})
    text = client.get(f"/org/privacy/{org.slug}/erasure/").content.decode()
    assert f'<option value="{zoe.pk}">Zoë Abreu — z.abreu@example.com</option>' in text
    assert f'<option value="{nameless.pk}">nobody@example.com</option>' in text
    assert 'Zoë Abreu <span class="muted">z.abreu@example.com</span>' in text
