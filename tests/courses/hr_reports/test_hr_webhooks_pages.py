"""HR's webhook endpoints at /hr/webhooks/: create (the secret shown once, internal addresses refused),
secret rotation, the delivery log (50 a page) and replay; scoped to the organization."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from courses.hr_reports.models import ReportAuditEntry, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.services import webhooks
from lms.models import Organization, Role
from tests import factories as people

pytestmark = pytest.mark.django_db
PAGE = "/hr/webhooks/"


@pytest.fixture
def acme(dns):
    dns["hooks.example"] = ["93.184.216.34"]
    dns["inside.example"] = ["10.0.0.5"]
    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def hr(acme) -> Client:
    client = Client()
    client.force_login(people.member(acme, Role.HR))
    return client


def shown_secret(html: str) -> str:
    return re.search(r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"', html).group(1)


def add(client: Client, **fields):
    return client.post(PAGE, {"url": "https://hooks.example/lms", "event_types": ["enrollment.completed"], **fields})


def deliveries(endpoint: WebhookEndpoint, count: int, first: int = 0) -> list[WebhookDelivery]:
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_type="enrollment.completed", object_id=n, payload={},
                        status=WebhookDelivery.Status.FAILED, attempts=3, last_status_code=500)
        for n in range(first, first + count))


def test_hr_adds_an_endpoint_and_sees_its_secret_once(acme, hr):
    answer = add(hr)
    assert answer.status_code == 200
    secret = shown_secret(answer.content.decode())
    endpoint = WebhookEndpoint.objects.get(organization=acme)
    assert webhooks.decrypt_secret(endpoint.secret_encrypted) == secret and secret not in endpoint.secret_encrypted
    listed = hr.get(PAGE).content.decode()
    assert "https://hooks.example/lms" in listed and secret not in listed
    assert ReportAuditEntry.objects.filter(kind="webhook_created", organization=acme).count() == 1


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"url": "https://inside.example/x"}, 422, "Not a public address"),
    ({"url": "https://127.0.0.1/x"}, 422, "Not a public address"),
    ({"url": "http://hooks.example/x"}, 422, "Use an https:// URL."),
    ({"url": ""}, 400, "This field is required."),
    ({"event_types": ["user.deleted"]}, 400, "Select a valid choice."),
])
def test_bad_endpoints_are_refused_on_the_form(acme, hr, fields, status, message):
    answer = add(hr, **fields)
    assert answer.status_code == status and message in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotation_shows_a_new_secret_once_and_the_old_one_stops(acme, hr):
    old = shown_secret(add(hr).content.decode())
    endpoint = WebhookEndpoint.objects.get()
    answer = hr.post(f"{PAGE}{endpoint.pk}/rotate/")
    new = shown_secret(answer.content.decode())
    endpoint.refresh_from_db()
    assert new != old and webhooks.decrypt_secret(endpoint.secret_encrypted) == new
    assert new not in hr.get(f"{PAGE}{endpoint.pk}/").content.decode()
    assert hr.get(f"{PAGE}{endpoint.pk}/rotate/").status_code == 405


def test_the_delivery_log_pages_by_50_in_constant_queries_and_replays(acme, hr, django_assert_max_num_queries):
    add(hr)
    endpoint = WebhookEndpoint.objects.get()
    deliveries(endpoint, 3)
    with django_assert_max_num_queries(14) as few:
        hr.get(f"{PAGE}{endpoint.pk}/")
    rows = deliveries(endpoint, 60, first=100)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the paginator's count
        first = hr.get(f"{PAGE}{endpoint.pk}/").content.decode()
    assert first.count("Failed") == 50 and "Page 1 of 2" in first
    assert hr.get(f"{PAGE}{endpoint.pk}/?page=2").content.decode().count("Failed") == 13
    answer = hr.post(f"{PAGE}{endpoint.pk}/deliveries/{rows[0].pk}/replay/")
    assert answer.status_code == 302 and answer["Location"] == f"{PAGE}{endpoint.pk}/"
    rows[0].refresh_from_db()
    assert (rows[0].status, rows[0].replays) == ("pending", 1)
    assert ReportAuditEntry.objects.filter(kind="webhook_replayed").count() == 1


def test_another_organizations_endpoint_is_404_and_learners_403(acme, hr):
    globex = Organization.objects.create(name="Globex", slug="globex")
    theirs, _ = webhooks.webhook_endpoint_create(organization=globex, url="https://hooks.example/g",
                                                 event_types=["certificate.issued"])
    delivery = deliveries(theirs, 1)[0]
    for url in (f"{PAGE}{theirs.pk}/", f"{PAGE}{theirs.pk}/?organization=globex"):
        assert hr.get(url).status_code == 404
    assert hr.post(f"{PAGE}{theirs.pk}/rotate/").status_code == 404
    assert hr.post(f"{PAGE}{theirs.pk}/deliveries/{delivery.pk}/replay/").status_code == 404
    assert "hooks.example/g" not in hr.get(PAGE).content.decode()
    learner = Client()
    learner.force_login(people.member(acme, Role.LEARNER))
    assert learner.get(PAGE).status_code == 403 and add(learner).status_code == 403


def test_the_page_speaks_portuguese(acme, hr):
    html = hr.get(PAGE, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Novo endpoint" in html and "Um curso concluído" in html and "Chaves de API" in html
