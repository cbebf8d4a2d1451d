"""Webhooks cannot be aimed at internal addresses (server-side request forgery): refused when an endpoint
is registered or changed (422 webhook_target_refused) and again at every delivery (logged as refused,
nothing sent, nothing of the target's answer shown), redirects never followed."""
from __future__ import annotations

import socket

import pytest

from courses.hr_reports.models import WebhookDelivery, WebhookEndpoint
from courses.hr_reports.services import webhooks as webhook_services
from tests.courses.hr_reports.conftest import complete
from tests.courses.hr_reports.receiver import receiver
from tests.helpers import assert_error

URL = "/api/v1/reports/webhooks/"
PUBLIC = "93.184.216.34"
pytestmark = pytest.mark.django_db

REFUSED_URLS = [
    "https://localhost/hook",
    "https://0x7f000001/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.8/hook",
    "https://100.64.0.1/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://224.0.0.1/hook",
    "https://0.0.0.0/hook",
    "https://metadata.partner.example/latest/meta-data/",  # resolves to 169.254.169.254 (the dns fixture)
    "https://intranet.partner.example/hook",  # resolves to 10.0.0.8
    "https://v6.partner.example/hook",  # resolves to an IPv6 unique-local address
]


@pytest.fixture(autouse=True)
def internal_names(dns):
    dns.update({"metadata.partner.example": ["169.254.169.254"], "intranet.partner.example": ["10.0.0.8"],
                "v6.partner.example": ["fd00::1"], "hooks.partner.example": [PUBLIC]})
    return dns


@pytest.fixture
def endpoint(world):
    endpoint, _ = webhook_services.webhook_endpoint_create(
        organization=world.acme, url="https://hooks.partner.example/in", event_types=["enrollment.completed"])
    return endpoint


def _deliver(world, endpoint) -> WebhookDelivery:
    enrollment = complete(world.enrollments["alice"])
    webhook_services.webhook_completion_emit(enrollment.pk)  # what the after-commit hook does
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhook_services.webhook_deliver(delivery_id=delivery.pk) == "will retry"
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_registering_an_internal_target_is_refused_and_writes_nothing(world, client_for, url):
    response = client_for(world.hr).post(URL, {"url": url, "event_types": ["certificate.issued"]}, format="json")
    error = assert_error(response, 422, "webhook_target_refused")
    assert error["message"].startswith("Webhooks can only be sent to public addresses")
    assert "url" in error["fields"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_changing_an_endpoint_to_an_internal_target_is_refused(world, client_for, endpoint, url):
    response = client_for(world.hr).patch(f"{URL}{endpoint.pk}/", {"url": url}, format="json")
    assert_error(response, 422, "webhook_target_refused")
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.partner.example/in"


def test_a_public_name_is_accepted(world, client_for):
    response = client_for(world.hr).post(URL, {"url": "https://hooks.partner.example/in",
                                                "event_types": ["certificate.issued"]}, format="json")
    assert response.status_code == 201, response.content


def test_a_name_that_turns_internal_after_registration_is_refused_at_delivery(world, client_for, endpoint, dns):
    """DNS rebinding: public when registered, loopback at delivery, where a real server waits. It is never
    contacted, and the delivery log says refused without anything from that server."""
    with receiver() as internal:
        port = internal.target.rsplit(":", 1)[1]
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"https://hooks.partner.example:{port}/in")
        dns["hooks.partner.example"] = ["127.0.0.1"]
        delivery = _deliver(world, endpoint)
        assert internal.received() == []
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused, nothing sent: hooks.partner.example resolves to a loopback")
    assert [(entry["status_code"], entry["error"]) for entry in delivery.log] == [(None, delivery.last_error)]
    shown = client_for(world.hr).get(f"{URL}{endpoint.pk}/deliveries/").json()
    assert shown["results"][0]["last_error"] == delivery.last_error


@pytest.mark.parametrize("url", ["https://169.254.169.254/latest/meta-data/", "https://0x7f000001/h",
                                 "https://[::ffff:127.0.0.1]/h", "https://localhost/h"])
def test_an_endpoint_stored_with_an_internal_literal_is_refused_at_delivery(world, endpoint, url):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)  # e.g. registered before these rules
    delivery = _deliver(world, endpoint)
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused, nothing sent:")


def test_a_redirect_to_an_internal_address_is_not_followed_nor_shown(world, client_for):
    """The allowed test receiver answers 302 to the metadata address, and to a loopback port where a
    socket listens: neither is contacted, and the log shows only the status."""
    trap = socket.create_server(("127.0.0.1", 0))
    trap.setblocking(False)
    try:
        with receiver(script=[302]) as hook:
            hook.location = f"http://127.0.0.1:{trap.getsockname()[1]}/latest/meta-data/?from=169.254.169.254"
            endpoint, _ = webhook_services.webhook_endpoint_create(
                organization=world.acme, url=hook.url, event_types=["enrollment.completed"])
            delivery = _deliver(world, endpoint)
            assert len(hook.received()) == 1
        with pytest.raises(BlockingIOError):
            trap.accept()  # nobody connected to the redirect's target
    finally:
        trap.close()
    assert (delivery.last_status_code, delivery.last_error) == (302, "HTTP 302")
    shown = client_for(world.hr).get(f"{URL}{endpoint.pk}/deliveries/").content.decode()
    assert "meta-data" not in shown and "169.254" not in shown
